// vitest setup: every test file starts from testEnvironment(), whatever the shell that ran `npm test` exports.
import { testEnvironment } from './environment.ts';

const own = testEnvironment();
for (const key of Object.keys(process.env)) if (!(key in own)) delete process.env[key];
Object.assign(process.env, own);
