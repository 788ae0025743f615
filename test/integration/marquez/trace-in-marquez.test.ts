// `sluice trace` against real Marquez: the same expectations as against the embedded catalog.
import { churnTraceSuite } from '../../lineage/trace/churn-trace-suite.ts';
import { startMarquez } from './harness.ts';

churnTraceSuite('real Marquez', async () => {
  const marquez = await startMarquez();
  return { url: marquez.url, close: () => marquez.stop() };
});
