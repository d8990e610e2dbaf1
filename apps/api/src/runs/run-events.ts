import { ServerResponse } from 'node:http';
import { RunWithSteps } from '@app/onboarding';
import { RunDto, RunStepDto } from './run.dto';

const POLL_MS = 500;
const HEARTBEAT_MS = 15_000;
const MAX_STREAM_MS = 60 * 60_000;
const TERMINAL = new Set(['succeeded', 'failed', 'cancelled']);

/**
 * Server-Sent Events for one run. Progress lives in Postgres (written by whichever worker runs the job), so the
 * stream polls the run and emits only what changed: `run` (status), `step` (a step's status/attempt/error), and
 * `end` when the run is finished. Works with any number of api and worker replicas.
 */
export async function streamRunEvents(
  res: ServerResponse,
  load: () => Promise<RunWithSteps>,
  isClosed: () => boolean,
  headers: Record<string, string>,
): Promise<void> {
  res.writeHead(200, {
    ...headers,
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  const send = (event: string, data: unknown): void => {
    res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  };
  const seen = new Map<string, string>();
  let runStatus = '';
  let lastBeat = Date.now();
  const started = Date.now();
  while (!isClosed() && Date.now() - started < MAX_STREAM_MS) {
    const run = await load();
    if (run.status !== runStatus) {
      runStatus = run.status;
      const { steps: _steps, ...summary } = RunDto.from(run);
      send('run', summary);
    }
    for (const step of run.steps) {
      const dto = RunStepDto.from(step);
      const key = `${dto.status}|${dto.attempts}|${dto.errorCode ?? ''}`;
      if (seen.get(dto.name) !== key) {
        seen.set(dto.name, key);
        send('step', dto);
      }
    }
    if (TERMINAL.has(run.status)) {
      send('end', { status: run.status });
      break;
    }
    if (Date.now() - lastBeat > HEARTBEAT_MS) {
      res.write(': keep-alive\n\n');
      lastBeat = Date.now();
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  res.end();
}
