import { SluiceError } from '../../../core/errors.ts';
import type { AslDocument } from '../../asl/compile-asl.ts';

/**
 * The ASL document an execution ran: its state machine version's definition, which carries every step and the plan
 * of each trigger (the SDK is loaded on first use).
 */
export async function executionDefinition(executionArn: string): Promise<AslDocument> {
  const { SFNClient, DescribeStateMachineForExecutionCommand } = await import('@aws-sdk/client-sfn');
  const client = new SFNClient({});
  try {
    const out = await client.send(new DescribeStateMachineForExecutionCommand({ executionArn }));
    if (!out.definition) throw new SluiceError('ALERT_DEFINITION', `the state machine of ${executionArn} has no definition`);
    return JSON.parse(out.definition) as AslDocument;
  } finally {
    client.destroy();
  }
}
