// Reads a server's CPU time and memory from /proc (Linux): the process, or the tree under it.

import { readdirSync, readFileSync } from 'node:fs';

/** Kernel clock ticks per second for utime/stime (USER_HZ; 100 on Linux x86_64 and arm64). */
const TICKS_PER_SECOND = 100;

function readStat(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may hold spaces: split after the last ')'.
    const close = text.lastIndexOf(')');
    const name = text.slice(text.indexOf('(') + 1, close);
    const fields = text.slice(close + 2).split(' ');
    return { pid: Number(pid), name, ppid: Number(fields[1]), utime: Number(fields[11]), stime: Number(fields[12]) };
  } catch {
    return undefined; // gone
  }
}

/** The process and all its descendants that are alive now. */
export function processTree(rootPid) {
  const all = readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(readStat).filter(Boolean);
  const tree = [];
  const wanted = new Set([rootPid]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const p of all) {
      if (!wanted.has(p.pid) && wanted.has(p.ppid)) {
        wanted.add(p.pid);
        grew = true;
      }
    }
  }
  for (const p of all) if (wanted.has(p.pid)) tree.push(p);
  return tree;
}

/** CPU seconds (user + system) the processes have used so far, together. */
export function cpuSeconds(pids) {
  let ticks = 0;
  for (const pid of pids) {
    const stat = readStat(pid);
    if (stat) ticks += stat.utime + stat.stime;
  }
  return ticks / TICKS_PER_SECOND;
}

function statusKb(pid, field) {
  try {
    const match = readFileSync(`/proc/${pid}/status`, 'utf8').match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

const sumMiB = (pids, field) => pids.reduce((sum, pid) => sum + statusKb(pid, field), 0) / 1024;
/** Peak resident memory (VmHWM) of the processes, summed, in MiB. */
export const peakRssMiB = (pids) => sumMiB(pids, 'VmHWM');
/** Resident memory now (VmRSS) of the processes, summed, in MiB. */
export const rssMiB = (pids) => sumMiB(pids, 'VmRSS');

/**
 * The processes that serve the traffic: the workerd processes under a `wrangler dev` tree, or
 * the root itself (a Node.js server). wrangler's Node processes supervise and are counted apart.
 */
export function servingPids(rootPid) {
  const tree = processTree(rootPid);
  const workerd = tree.filter((p) => p.name === 'workerd').map((p) => p.pid);
  return workerd.length > 0 ? workerd : [rootPid];
}

/** The other processes of a `wrangler dev` tree: wrangler's Node processes and esbuild. */
export function supervisingPids(rootPid) {
  const serving = new Set(servingPids(rootPid));
  return processTree(rootPid).map((p) => p.pid).filter((pid) => !serving.has(pid));
}
