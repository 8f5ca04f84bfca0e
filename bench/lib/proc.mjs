// Reads a server's CPU time and memory from /proc (Linux): the process, or the tree under it.

import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

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
 * Anonymous resident memory now (RssAnon: heaps, JS included), summed, in MiB. Unlike VmRSS it
 * leaves out file-backed pages, such as a local D1's SQLite file mapped by the same workerd.
 */
export const anonRssMiB = (pids) => sumMiB(pids, 'RssAnon');

/**
 * The workerd process that runs the Worker under a `wrangler dev` tree. wrangler runs two: the
 * Worker's own (started with an inspector), and a ProxyWorker in front of it for live reload.
 */
export function workerPid(rootPid) {
  const workerd = processTree(rootPid).filter(
    (p) => p.name === 'workerd' && readFileSync(`/proc/${p.pid}/cmdline`, 'utf8').includes('--inspector-addr'),
  );
  if (workerd.length !== 1) throw new Error(`expected one Worker workerd under ${rootPid}, found ${workerd.length}`);
  return workerd[0].pid;
}

/** The other processes of a `wrangler dev` tree: wrangler's Node processes, the ProxyWorker, esbuild. */
export function supervisingPids(rootPid) {
  const worker = workerPid(rootPid);
  return processTree(rootPid).map((p) => p.pid).filter((pid) => pid !== worker);
}

/** The TCP ports the process listens on (IPv4 and IPv6). */
export function listeningPorts(pid) {
  const byInode = new Map();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length > 9 && f[3] === '0A') byInode.set(f[9], parseInt(f[1].split(':').at(-1), 16));
    }
  }
  const ports = [];
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const inode = readlinkSync(`/proc/${pid}/fd/${fd}`).match(/^socket:\[(\d+)\]$/)?.[1];
      if (inode && byInode.has(inode)) ports.push(byInode.get(inode));
    } catch {
      // closed meanwhile
    }
  }
  return ports;
}
