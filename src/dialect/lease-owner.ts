import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, readlinkSync } from 'node:fs';
import { hostname } from 'node:os';

// `<host tag>.<pid>.<nonce>`: at most 12 + 1 + 10 + 1 + 12 = 36 characters, the owner column's width.
const OWNER_PATTERN = /^([0-9a-f]{12})\.([1-9][0-9]{0,9})\.([0-9a-f]{12})$/;
const MAX_PID = 0x7fffffff;
let cachedHostTag: string | undefined;

/**
 * @internal A new owner string for the SQLite run lease: `<host tag>.<pid>.<nonce>`, unique per
 * acquisition. The host tag names the pid space this process lives in (see {@link leaseOwnerGone}).
 */
export function newLeaseOwner(): string {
  return `${hostTag()}.${process.pid}.${randomBytes(6).toString('hex')}`;
}

/**
 * @internal True only when the process that wrote `owner` is provably gone: the owner was written in
 * this host's pid space (same host tag) and no process has its pid now (`process.kill(pid, 0)` fails
 * with ESRCH), or it is this very process and `liveHere` does not hold it. Anything else counts as
 * alive, so its lease is only taken once it expires: an owner written elsewhere or in an older format,
 * a pid some process has (a reused pid, a zombie, another user's process: EPERM).
 */
export function leaseOwnerGone(owner: string, liveHere: ReadonlySet<string>): boolean {
  const parsed = OWNER_PATTERN.exec(owner);
  if (parsed === null || parsed[1] !== hostTag()) return false;
  const pid = Number(parsed[2]);
  if (pid === process.pid) return !liveHere.has(owner);
  return pid <= MAX_PID && noSuchProcess(pid);
}

function noSuchProcess(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/**
 * 12 hex characters of SHA-256 over what makes two processes' pids comparable: the hostname and, on
 * Linux, the kernel's boot id and the pid namespace (containers on one kernel have pid spaces of their
 * own). Where Linux hides either, the tag is random: this process then takes over no one's lease.
 */
function hostTag(): string {
  cachedHostTag ??= createHash('sha256').update(pidSpaceOf()).digest('hex').slice(0, 12);
  return cachedHostTag;
}

function pidSpaceOf(): string {
  if (process.platform !== 'linux') return `${process.platform}\0${hostname()}`;
  const bootId = readOrEmpty(() => readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim());
  const pidNamespace = readOrEmpty(() => readlinkSync('/proc/self/ns/pid'));
  if (bootId === '' || pidNamespace === '') return `unknown\0${randomBytes(16).toString('hex')}`;
  return `linux\0${hostname()}\0${bootId}\0${pidNamespace}`;
}

function readOrEmpty(read: () => string): string {
  try {
    return read();
  } catch {
    return '';
  }
}
