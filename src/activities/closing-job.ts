/**
 * Sign-ups close at their set time even when nobody presses the button: once a minute the
 * server closes every open activity whose closing time has come (`closeDueSignups`), which
 * records the final participant list and refunds the waitlist. The activities run on the
 * money clock, so `services.money.jobsPaused` pauses this job too (tests drive it
 * themselves). Two processes may run it at once: each close locks the activity's row, and
 * the second finds it closed and skips it.
 */
import type { AppServices, BackgroundJob, ModuleRuntime } from '../kernel/domain-module.ts';
import { closeDueSignups } from './activity-commands.ts';

export const CLOSING_JOB_INTERVAL_MS = 60_000;

export function startClosingJob(
  runtime: ModuleRuntime,
  services: AppServices,
  intervalMs = CLOSING_JOB_INTERVAL_MS,
): BackgroundJob {
  let running: Promise<void> = Promise.resolve();
  const tick = async () => {
    if (services.money.jobsPaused) return;
    try {
      const { refused } = await closeDueSignups({ services, em: runtime.forkEntityManager() });
      for (const { activityId, code } of refused)
        runtime.logger.warn({ activityId, code }, 'activity sign-ups could not close');
    } catch (error) {
      runtime.logger.error(
        { error: error instanceof Error ? error.name : 'unknown' },
        'closing activity sign-ups failed',
      );
    }
  };
  const timer = setInterval(() => {
    running = running.then(tick).catch(() => undefined);
  }, intervalMs);
  timer.unref();
  return {
    name: 'activity-closing',
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
