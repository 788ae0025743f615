// The local runner, a separate entry (`sluice/local`) so that importing the definition API loads no S3 server or handlers.
export { runLocal, type RunLocalOptions, type RunReport, type StepReport, type RunProgress } from './run-local.ts';
export { formatRunReport, printProgress } from './format-report.ts';
