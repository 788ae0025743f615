import { TransportConfigSchema } from '../config-schema.ts';
import type { TransportConfig } from '../config-schema.ts';
import { LineageConfigError } from '../errors.ts';
import { formatIssues } from '../../../core/issues.ts';
import { lineageWording } from '../issues.ts';
import { CompositeTransport } from './composite-transport.ts';
import { ConsoleTransport } from './console-transport.ts';
import { FileTransport } from './file-transport.ts';
import { HttpTransport } from './http-transport.ts';
import { NoopTransport } from './noop-transport.ts';
import { TransformTransport, builtInTransformer } from './transform-transport.ts';
import type { Transport } from './transport.ts';

function build(config: TransportConfig): Transport {
  switch (config.type) {
    case 'http':
      return new HttpTransport(config);
    case 'file':
      return new FileTransport(config);
    case 'console':
      return new ConsoleTransport();
    case 'noop':
      return new NoopTransport(config.name);
    case 'composite': {
      const children = Object.entries(config.transports).map(([key, child]) => ({
        // List positions become keys "0", "1"…: name those children by their type instead.
        name: child.name ?? (/^\d+$/.test(key) ? `${child.type}#${key}` : key),
        transport: build(child),
        priority: child.priority,
      }));
      return new CompositeTransport(children, config);
    }
    case 'transform': {
      const transformer = builtInTransformer(config.transformer_class, config.transformer_properties);
      return new TransformTransport(build(config.transport), transformer, { name: transformer.name });
    }
  }
}

/** Creates the transport described by `config` (validated here; throws LineageConfigError listing every problem). */
export function createTransport(config: TransportConfig | Record<string, unknown>): Transport {
  const parsed = TransportConfigSchema.safeParse(config, { reportInput: true });
  if (!parsed.success)
    throw new LineageConfigError(
      formatIssues(parsed.error.issues, { prefix: ['transport'], wording: lineageWording }),
      'transport settings',
    );
  return build(parsed.data);
}
