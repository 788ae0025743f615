import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { SLUICE_ENV } from '../../core/env.ts';

/** A log level, as CloudWatch and Lambda's log-level filtering read it. */
export type LogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

/** Where structured lines go. */
export type LogSink = (line: string) => void;

/** A CloudWatch metric value and its unit. */
export interface MetricValue {
  readonly value: number;
  readonly unit: 'Count' | 'Milliseconds' | 'Bytes' | 'None';
}

/**
 * Where a handler's structured lines go: stdout in Lambda (raw writes, so the runtime's JSON log format keeps them as
 * they are and CloudWatch reads embedded metrics from them), the file `SLUICE_LOG_FILE` names locally, else nowhere.
 */
export function logSink(env: NodeJS.ProcessEnv = process.env): LogSink | undefined {
  if (env.AWS_LAMBDA_FUNCTION_NAME) return (line) => void process.stdout.write(`${line}\n`);
  const file = env[SLUICE_ENV.logFile]?.trim();
  if (!file) return undefined;
  return (line) => {
    mkdirSync(dirname(file), { recursive: true });
    appendFileSync(file, `${line}\n`);
  };
}

/**
 * One JSON object per line with a time, a level, a message and the fields every line of the context carries (the
 * pipeline, execution, run id and step), and CloudWatch embedded metric format for metrics. Outside Lambda, warnings
 * and errors are also written to stderr as `sluice: <message>`, where a person running the pipeline sees them.
 */
export class StructuredLog {
  readonly #sink: LogSink | undefined;
  readonly #fields: Readonly<Record<string, unknown>>;
  readonly #echo: boolean;

  constructor(sink: LogSink | undefined, fields: Readonly<Record<string, unknown>>, options: { echo?: boolean } = {}) {
    this.#sink = sink;
    this.#fields = fields;
    this.#echo = options.echo ?? !process.env.AWS_LAMBDA_FUNCTION_NAME;
  }

  /** A log whose lines carry more fields. */
  with(fields: Readonly<Record<string, unknown>>): StructuredLog {
    return new StructuredLog(this.#sink, { ...this.#fields, ...fields }, { echo: this.#echo });
  }

  /** Writes an INFO line. */
  info(message: string, fields: Readonly<Record<string, unknown>> = {}): void {
    this.#write('INFO', message, fields);
  }

  /** Writes a WARN line (and, outside Lambda, the message on stderr). */
  warn(message: string, fields: Readonly<Record<string, unknown>> = {}): void {
    this.#write('WARN', message, fields);
    if (this.#echo) process.stderr.write(`${message.startsWith('sluice: ') ? '' : 'sluice: '}${message}\n`);
  }

  /** Writes an ERROR line. */
  error(message: string, fields: Readonly<Record<string, unknown>> = {}): void {
    this.#write('ERROR', message, fields);
  }

  /**
   * Writes metrics as one embedded-metric-format line: CloudWatch turns each value into a metric of `namespace` with
   * the given dimensions; the line's other fields (execution, run id) stay searchable properties, not dimensions.
   */
  metrics(
    namespace: string,
    dimensions: Readonly<Record<string, string>>,
    values: Readonly<Record<string, MetricValue>>,
    message = 'metrics',
  ): void {
    const emf = {
      Timestamp: Date.now(),
      CloudWatchMetrics: [
        {
          Namespace: namespace,
          Dimensions: [Object.keys(dimensions)],
          Metrics: Object.entries(values).map(([Name, v]) => ({ Name, Unit: v.unit })),
        },
      ],
    };
    const measured = Object.fromEntries(Object.entries(values).map(([name, v]) => [name, v.value]));
    this.#write('INFO', message, { _aws: emf, ...dimensions, ...measured });
  }

  #write(level: LogLevel, message: string, fields: Readonly<Record<string, unknown>>): void {
    if (!this.#sink) return;
    this.#sink(JSON.stringify({ timestamp: new Date().toISOString(), level, message, ...this.#fields, ...fields }));
  }
}
