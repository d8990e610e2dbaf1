import { QUEUE_NAMES } from './job-catalogue';
import { QUEUE_SETTINGS, queueJobOptions } from './queue-settings';

describe('queueJobOptions', () => {
  it.each(QUEUE_NAMES)('carries the %s queue retention and retries (also used as the queue defaults for scheduler jobs)', (q) => {
    const s = QUEUE_SETTINGS[q];
    expect(queueJobOptions(q)).toEqual({
      attempts: s.attempts,
      backoff: { type: s.backoff.type, delay: s.backoff.delayMs },
      removeOnComplete: { age: s.removeOnComplete.ageSeconds, count: s.removeOnComplete.count },
      removeOnFail: { age: s.removeOnFail.ageSeconds, count: s.removeOnFail.count },
    });
  });
});
