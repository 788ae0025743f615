// vitest setup: every test file starts from testEnvironment(), whatever the shell that ran `npm test` exports.
import { afterAll } from 'vitest';
import { removeTestHome, testEnvironment } from './environment.ts';

const own = testEnvironment();
for (const key of Object.keys(process.env)) if (!(key in own)) delete process.env[key];
Object.assign(process.env, own);
// The test HOME goes with the test file (it would otherwise stay under the system temp folder).
afterAll(removeTestHome);
