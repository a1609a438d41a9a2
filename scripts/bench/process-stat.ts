/**
 * One process's CPU time, parent and name from /proc/<pid>/stat (Linux), for the benches'
 * CPU figures: a shared, busy machine distorts CPU time far less than wall time.
 */
import { readFileSync } from 'node:fs';

/** Linux's USER_HZ (the unit of the stat file's times) is 100 on every architecture Node runs on. */
const CLOCK_TICK_MS = 10;

export interface ProcessStat {
  name: string;
  parentPid: number;
  /** User + system CPU time so far, in milliseconds. */
  cpuMs: number;
}

/** Undefined when the process has ended or there is no /proc. */
export function readProcessStat(pid: number | string): ProcessStat | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name is in parentheses and may hold spaces; the fields after it start at
  // the state (field 3): ppid is the 4th, utime and stime the 14th and 15th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return {
    name: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')),
    parentPid: Number(fields[1]),
    cpuMs: (Number(fields[11]) + Number(fields[12])) * CLOCK_TICK_MS,
  };
}
