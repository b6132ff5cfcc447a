/** CPU time of a process as Linux reports it in /proc/<pid>/stat (the sip-line and media-relay benchmarks sample it). */

/** Clock ticks per second of /proc figures (USER_HZ, 100 on Linux). */
export const USER_HZ = 100;

/** utime + stime, in clock ticks, from the text of /proc/<pid>/stat (fields counted after the command's ")"). */
export function cpuTicks(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}
