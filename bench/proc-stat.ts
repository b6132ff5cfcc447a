/** CPU time of a process as Linux reports it in /proc/<pid>/stat (the sip-line and media-relay benchmarks sample it). */

/** Clock ticks per second of /proc figures (USER_HZ, 100 on Linux). */
export const USER_HZ = 100;

/** utime + stime, in clock ticks, from the text of /proc/<pid>/stat (fields counted after the command's ")"). */
export function cpuTicks(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

/** utime + stime + cutime + cstime: with the CPU of the children it waited for (a forking server's, tftpd-hpa's). */
export function cpuTicksWithChildren(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return cpuTicks(stat) + Number(fields[13]) + Number(fields[14]);
}
