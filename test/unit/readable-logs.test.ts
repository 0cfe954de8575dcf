import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { formatLogLine, readableLogs, wantsReadableLogs } from '../../local/readable-logs.ts';

const line = JSON.stringify({
  level: 'INFO',
  message: 'callback attempt',
  timestamp: '2026-11-29T10:05:12.345Z',
  service: 'vigil',
  cold_start: true,
  function_name: 'deliver-callbacks',
  function_request_id: 'r-1',
  bankId: 'demo-bank',
  outcome: 'retry',
  error: 'HTTP 503',
  attempt: 2,
});

describe('local mode logs for people', () => {
  it('one line: time, level, function, message, then the ids and outcome', () => {
    expect(formatLogLine(line)).toBe(
      '10:05:12.345  INFO   deliver-callbacks   callback attempt  bankId=demo-bank  outcome=retry  error="HTTP 503"  attempt=2',
    );
  });

  it('an error shows its name and message, not its stack', () => {
    const text = formatLogLine(
      JSON.stringify({
        level: 'ERROR',
        message: 'unexpected error',
        timestamp: '2026-11-29T10:05:12.345Z',
        error: { name: 'TypeError', message: 'x is undefined', stack: 'TypeError: x\n    at f (a.ts:1)' },
      }),
    );
    expect(text).toBe(
      '10:05:12.345  ERROR  vigil               unexpected error  error="TypeError: x is undefined"',
    );
  });

  it('leaves alone what is not a log line', () => {
    for (const other of ['Vigil is running locally.', '{"not": "a log line"}', '{broken', '']) {
      expect(formatLogLine(other)).toBeUndefined();
    }
  });

  it('readable on a terminal only, JSON with --json-logs', () => {
    expect(wantsReadableLogs(true, ['node', 'start.ts'])).toBe(true);
    expect(wantsReadableLogs(true, ['node', 'start.ts', '--json-logs'])).toBe(false);
    expect(wantsReadableLogs(false, ['node', 'start.ts'])).toBe(false);
    expect(wantsReadableLogs(undefined, [])).toBe(false);
  });

  it('rewrites whole lines, however the writes are cut', () => {
    const stream = new PassThrough() as unknown as NodeJS.WriteStream;
    const written: string[] = [];
    (stream as unknown as PassThrough).on('data', (chunk: Buffer) => written.push(chunk.toString()));
    readableLogs(stream);
    stream.write(`Vigil is running.\n${line.slice(0, 20)}`);
    stream.write(`${line.slice(20)}\nplain`);
    stream.write(' text\n');
    expect(written.join('')).toBe(`Vigil is running.\n${formatLogLine(line)}\nplain text\n`);
  });
});
