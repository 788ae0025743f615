import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A message the fake SNS received: its topic, subject, text and attributes. */
export interface PublishedMessage {
  readonly topicArn: string;
  readonly subject?: string;
  readonly message: string;
  readonly attributes: Record<string, { dataType: string; value: string }>;
}

/** Two control-plane APIs no local server provides, answering on 127.0.0.1 as AWS does, for the SDK clients of a handler. */
export interface FakeAwsApis {
  /** For `AWS_ENDPOINT_URL_SFN`: answers DescribeStateMachineForExecution with the given definition. */
  readonly sfnEndpoint: string;
  /** For `AWS_ENDPOINT_URL_SNS`: records every Publish. */
  readonly snsEndpoint: string;
  readonly published: PublishedMessage[];
  /** The execution ARNs the definition was asked for. */
  readonly described: string[];
  close(): Promise<void>;
}

async function body(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/**
 * Starts a fake Step Functions (AWS JSON 1.0) and a fake SNS (AWS Query) endpoint: the requests are the SDK's own, the
 * answers have AWS's shapes. Unknown operations get a 400 in the service's error shape, so a handler calling anything
 * else fails loudly.
 */
export async function startFakeAwsApis(definition: unknown): Promise<FakeAwsApis> {
  const published: PublishedMessage[] = [];
  const described: string[] = [];
  const sfn = createServer((req, res) => {
    void body(req).then((text) => {
      const target = String(req.headers['x-amz-target'] ?? '');
      res.setHeader('content-type', 'application/x-amz-json-1.0');
      if (target !== 'AWSStepFunctions.DescribeStateMachineForExecution') {
        res.statusCode = 400;
        res.end(JSON.stringify({ __type: 'UnknownOperationException', message: target }));
        return;
      }
      const { executionArn } = JSON.parse(text) as { executionArn: string };
      described.push(executionArn);
      const machine = executionArn.replace(':execution:', ':stateMachine:').replace(/:[^:]+$/, '');
      res.end(
        JSON.stringify({
          stateMachineArn: machine,
          name: machine.slice(machine.lastIndexOf(':') + 1),
          definition: JSON.stringify(definition),
          roleArn: 'arn:aws:iam::000000000000:role/sfn',
          updateDate: Date.now() / 1000,
        }),
      );
    });
  });
  const sns = createServer((req, res) => {
    void body(req).then((text) => {
      const form = new URLSearchParams(text);
      res.setHeader('content-type', 'text/xml');
      if (form.get('Action') !== 'Publish') {
        res.statusCode = 400;
        res.end(
          `<ErrorResponse><Error><Type>Sender</Type><Code>InvalidAction</Code><Message>${form.get('Action')}</Message></Error></ErrorResponse>`,
        );
        return;
      }
      const attributes: PublishedMessage['attributes'] = {};
      for (let i = 1; form.has(`MessageAttributes.entry.${i}.Name`); i++) {
        attributes[form.get(`MessageAttributes.entry.${i}.Name`)!] = {
          dataType: form.get(`MessageAttributes.entry.${i}.Value.DataType`)!,
          value: form.get(`MessageAttributes.entry.${i}.Value.StringValue`)!,
        };
      }
      published.push({
        topicArn: form.get('TopicArn')!,
        ...(form.get('Subject') !== null ? { subject: form.get('Subject')! } : {}),
        message: form.get('Message')!,
        attributes,
      });
      res.end(
        `<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>message-${published.length}</MessageId></PublishResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></PublishResponse>`,
      );
    });
  });
  const [sfnEndpoint, snsEndpoint] = [await listen(sfn), await listen(sns)];
  return {
    sfnEndpoint,
    snsEndpoint,
    published,
    described,
    async close() {
      sfn.closeAllConnections();
      sns.closeAllConnections();
      await Promise.all([new Promise((done) => sfn.close(done)), new Promise((done) => sns.close(done))]);
    },
  };
}
