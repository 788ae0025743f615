import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCustomers } from '../../examples/churn/generate-data.ts';
import churn from '../../examples/churn/pipeline.ts';
import { compileAsl, FUNCTION_ARN_VARIABLES, substituteAsl } from '../../lib/asl/compile-asl.ts';
import { EMBEDDED_S3_CREDENTIALS, startEmbeddedS3, type EmbeddedS3 } from '../../lib/local/embedded-s3.ts';
import { runLocal, stateDirLayout, type RunReport } from '../../lib/local/index.ts';
import { importEventsFile, startCatalogServer, type CatalogServer } from '../../lineage/catalog/index.ts';
import { runEvent } from '../../lineage/index.ts';
import { captureStderr } from '../support/environment.ts';
import { startFakeAwsApis, type FakeAwsApis } from '../support/fake-aws-apis.ts';

const exampleDir = join(import.meta.dirname, '..', '..', 'examples', 'churn');
const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:churn-alerts';

/** The EventBridge event Step Functions sends when an execution ends, as the alert function receives it. */
function statusChange(report: RunReport, status: string) {
  const error = report.error
    ? { error: report.error.name, cause: JSON.stringify({ errorMessage: report.error.message, errorType: report.error.name, trace: [] }) }
    : {};
  return {
    'detail-type': 'Step Functions Execution Status Change',
    source: 'aws.states',
    detail: {
      executionArn: report.executionArn,
      stateMachineArn: report.executionArn.replace(':execution:', ':stateMachine:').replace(/:[^:]+$/, ''),
      status,
      input: JSON.stringify({ trigger: report.trigger }),
      ...error,
    },
  };
}

describe('the alert function (the real handler against the embedded S3, the embedded catalog and fake SFN and SNS APIs)', () => {
  let dir: string;
  let good: RunReport;
  let bad: RunReport;
  let warned: RunReport;
  let s3: EmbeddedS3;
  let catalog: CatalogServer;
  let aws: FakeAwsApis;
  let handler: (event: unknown) => Promise<{ published: string | null }>;
  const saved = new Map<string, string | undefined>();

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-alert-'));
    const stateDir = join(dir, 'state');
    await generateCustomers(join(dir, 'good.csv'), { rows: 400 });
    await generateCustomers(join(dir, 'bad.csv'), { rows: 400, bad: true });
    good = await runLocal(churn, { stateDir, input: join(dir, 'good.csv'), baseDir: exampleDir });
    bad = await runLocal(churn, { stateDir, input: join(dir, 'bad.csv'), baseDir: exampleDir });
    // A clean extract but for three customers over the support-ticket rule, whose severity is "warn".
    await generateCustomers(join(dir, 'clean.csv'), { rows: 400, seed: 5 });
    const lines = (await readFile(join(dir, 'clean.csv'), 'utf8')).split('\n');
    for (const i of [10, 20, 30])
      lines[i] = lines[i]!.split(',')
        .map((v, c) => (c === 5 ? '99' : v))
        .join(',');
    await writeFile(join(dir, 'warned.csv'), lines.join('\n'));
    warned = await runLocal(churn, { stateDir, input: join(dir, 'warned.csv'), baseDir: exampleDir });
    // The catalog knows the pipeline's runs and a job of another team that reads the predictions.
    catalog = await startCatalogServer({ port: 0 });
    await importEventsFile(catalog.store, stateDirLayout(stateDir).events);
    const reader = runEvent({
      eventType: 'COMPLETE',
      run: { runId: '0190f3a4-0000-7000-8000-000000000001' },
      job: { namespace: 'marketing', name: 'campaign' },
      inputs: [{ namespace: 's3://churn-data', name: 'predictions/churn' }],
    });
    const posted = await fetch(`${catalog.url}/api/v1/lineage`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(reader),
    });
    expect(posted.status).toBe(201);
    s3 = await startEmbeddedS3(join(stateDir, 's3'), ['churn-data', 'churn-models']);
    const arns = Object.fromEntries(
      Object.values(FUNCTION_ARN_VARIABLES).map((v) => [v, `arn:aws:lambda:eu-west-1:123456789012:function:${v}`]),
    );
    aws = await startFakeAwsApis(substituteAsl(compileAsl(churn), arns));
    const env: Record<string, string> = {
      AWS_ENDPOINT_URL_S3: s3.endpoint,
      AWS_ENDPOINT_URL_SFN: aws.sfnEndpoint,
      AWS_ENDPOINT_URL_SNS: aws.snsEndpoint,
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: EMBEDDED_S3_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: EMBEDDED_S3_CREDENTIALS.secretAccessKey,
      SLUICE_ALERT_TOPIC_ARN: TOPIC,
      SLUICE_STEP_RECORDS: 's3://churn-data/_sluice/runs',
      SLUICE_LINEAGE_PAGE_URL: 'https://lineage.example.com/',
      OPENLINEAGE_URL: catalog.url,
    };
    for (const [k, v] of Object.entries(env)) {
      saved.set(k, process.env[k]);
      process.env[k] = v;
    }
    // The module reads its configuration at import, as a Lambda cold start does.
    ({ handler } = await import('../../functions/alert/index.ts'));
  });
  afterAll(async () => {
    for (const [k, v] of saved) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    await aws?.close();
    await s3?.stop();
    await catalog?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('publishes one message for the failed run: what broke with its values, the quarantined batch, the blast radius', async () => {
    const result = await handler(statusChange(bad, 'FAILED'));
    expect(result.published).toBe('message-1');
    expect(aws.described).toEqual([bad.executionArn]);
    expect(aws.published).toHaveLength(1);
    const [message] = aws.published;
    const batch = bad.steps[0]!.result!.batchId;
    expect(message!.topicArn).toBe(TOPIC);
    expect(message!.subject).toBe('Sluice churn: FAILED at test: 2 data tests failed, batch quarantined');
    const text = message!.message;
    expect(text).toMatch(/FAILED unique\(customer_id\) on customer_id: expected 0 duplicate rows, got \d+ duplicate rows in \d+ rows/);
    expect(text).toMatch(
      /FAILED range\(monthly_charges\) on monthly_charges: expected values in \[0, 1000\], got \d+ values outside \(observed min -?[\d.]+, max [\d.]+\)/,
    );
    expect(text).toMatch(
      /step ingest \(ingest\) rejected \d+ of 400 records of s3:\/\/churn-data\/raw\/customers\/bad\.csv:\n {4}tenure_months: expected an integer/,
    );
    expect(text).toContain(`Quarantined (kept aside, not published):\n  s3://churn-data/quarantine/customers/batch=${batch}/`);
    expect(text).toContain('report.json: quarantine report: every assertion with its values');
    expect(text).toContain(
      'datasets: published (s3://churn-data/published/customers), features (s3://churn-data/features/churn), predictions (s3://churn-data/predictions/churn)',
    );
    expect(text).toContain('jobs: sluice:churn.test, sluice:churn.features, sluice:churn.score');
    expect(text).toContain('downstream in the lineage catalog: marketing:campaign');
    expect(text).toContain(`Execution: ${bad.executionArn}`);
    expect(text).toContain('Lineage:   https://lineage.example.com/#job%3Asluice%3Achurn.test');
    expect(message!.attributes['sluice.status']).toEqual({ dataType: 'String', value: 'FAILED' });
    expect(message!.attributes['sluice.step']).toEqual({ dataType: 'String', value: 'test' });
    expect(message!.attributes['sluice.execution']).toEqual({ dataType: 'String', value: bad.executionArn });
    expect(JSON.parse(message!.attributes['sluice.quarantined']!.value)).toEqual([`s3://churn-data/quarantine/customers/batch=${batch}/`]);
    expect(JSON.parse(message!.attributes['sluice.notUpdated.jobs']!.value)).toEqual([
      'sluice:churn.test',
      'sluice:churn.features',
      'sluice:churn.score',
    ]);
    const alert = JSON.parse(message!.attributes['sluice.alert']!.value);
    expect(alert).toMatchObject({ pipeline: 'churn', status: 'FAILED', catalogDownstream: { jobs: ['marketing:campaign'] } });
    // The local run ended with the same alert, built from the same facts (without the catalog, which it was not given).
    expect(bad.alert?.rootCauses).toEqual(alert.rootCauses);
  });

  it('publishes an execution once, however often its status change is delivered', async () => {
    const again = await captureStderr(() => handler(statusChange(bad, 'FAILED')));
    expect(again.result).toEqual({ published: null });
    expect(aws.published).toHaveLength(1);
    // The marker the first delivery left beside the step records is not mistaken for one.
    expect(again.stderr).not.toContain('could not be read');
  });

  it('publishes nothing for a run that succeeded without a warned rule, or for one still running', async () => {
    expect(await handler(statusChange(good, 'SUCCEEDED'))).toEqual({ published: null });
    expect(await handler(statusChange(good, 'RUNNING'))).toEqual({ published: null });
    expect(aws.published).toHaveLength(1);
  });

  it('publishes one message for a run that succeeded with a warned rule, naming the rule and its values', async () => {
    expect(warned.status).toBe('SUCCEEDED');
    const result = await handler(statusChange(warned, 'SUCCEEDED'));
    expect(result.published).toBe('message-2');
    expect(aws.published).toHaveLength(2);
    const message = aws.published[1]!;
    expect(message.subject).toBe('Sluice churn: succeeded with warnings: 1 rule warned');
    expect(message.message).toContain('The run succeeded, but rules with severity "warn" did not hold.');
    expect(message.message).toMatch(
      /WARNED range\(support_tickets\) on support_tickets: expected values in \[-∞, 40\], got 3 values outside/,
    );
    expect(message.message).not.toMatch(/^ {4}FAILED /m);
    expect(message.message).not.toContain('Quarantined');
    expect(message.message).not.toContain('Not updated by this run');
    expect(message.attributes['sluice.status']).toEqual({ dataType: 'String', value: 'WARNED' });
    expect(JSON.parse(message.attributes['sluice.alert']!.value).rootCauses).toEqual(warned.alert!.rootCauses);
  });

  it('refuses an event that is not an execution status change, naming what is wrong', async () => {
    await expect(handler({ detail: {} })).rejects.toMatchObject({ code: 'ALERT_EVENT' });
  });
});
