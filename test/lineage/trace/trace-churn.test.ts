import { startCatalogServer } from '../../../lineage/catalog/index.ts';
import { churnTraceSuite } from './churn-trace-suite.ts';

churnTraceSuite('the embedded catalog', () => startCatalogServer({ port: 0 }));
