// Counters shared by every virtual charger, the progress line on stderr and the final summary.

export class Stats {
  constructor(chargers) {
    this.chargers = chargers;
    this.started = 0;
    this.connected = 0;
    this.booted = new Set();
    this.charging = 0;
    this.sent = 0;
    this.received = 0;
    this.sessionsStarted = 0;
    this.sessionsCompleted = 0;
    this.energyWh = 0;
    this.refusedTags = 0;
    this.commands = new Map(); // action → answered count
    this.errors = new Map(); // "kind: message" → count
    this.errorCount = 0;
    this.startedAt = Date.now();
  }

  error(kind, message) {
    const key = `${kind}: ${String(message).slice(0, 200)}`;
    this.errors.set(key, (this.errors.get(key) ?? 0) + 1);
    this.errorCount++;
  }

  commandAnswered(action) {
    this.commands.set(action, (this.commands.get(action) ?? 0) + 1);
  }

  get commandsAnswered() {
    let total = 0;
    for (const n of this.commands.values()) total += n;
    return total;
  }

  line() {
    const seconds = ((Date.now() - this.startedAt) / 1000).toFixed(0);
    return (
      `[${seconds}s] connected ${this.connected}/${this.chargers} · charging ${this.charging} · ` +
      `sessions ${this.sessionsCompleted} · ${(this.energyWh / 1000).toFixed(3)} kWh · ` +
      `sent ${this.sent} · commands ${this.commandsAnswered} · errors ${this.errorCount}`
    );
  }

  summary(protocols) {
    const counts = {};
    for (const p of protocols) counts[p] = (counts[p] ?? 0) + 1;
    const mix = Object.entries(counts).map(([p, n]) => `${n} ${p}`).join(', ');
    const lines = [
      'Simulator summary',
      `  chargers            ${this.chargers} (${mix}; ${this.booted.size} booted)`,
      `  sessions completed  ${this.sessionsCompleted} (of ${this.sessionsStarted} started)`,
      `  energy delivered    ${(this.energyWh / 1000).toFixed(3)} kWh`,
      `  messages            ${this.sent} sent, ${this.received} received`,
      `  commands answered   ${this.commandsAnswered}`,
    ];
    const answered = [...this.commands].map(([action, n]) => `${action} ${n}`);
    for (let i = 0; i < answered.length; i += 5) lines.push(`    ${answered.slice(i, i + 5).join(', ')}`);
    lines.push(`  errors              ${this.errorCount}`);
    for (const [what, n] of [...this.errors].sort((a, b) => b[1] - a[1]).slice(0, 10)) lines.push(`    ${n} × ${what}`);
    if (this.errors.size > 10) lines.push(`    … and ${this.errors.size - 10} more kinds`);
    if (this.started < this.chargers) {
      lines.push(`  note: only ${this.started} of ${this.chargers} chargers started before the run ended; raise --ramp or --duration`);
    }
    if ([...this.errors.keys()].some((what) => what.startsWith('connect: HTTP 401'))) {
      lines.push('  note: the CSMS refused the chargers (401): register them first (--api and --token do),');
      lines.push('        or give the password they were registered with (--password)');
    }
    if (this.refusedTags > 0) {
      lines.push(`  note: the CSMS refused the id tag ${this.refusedTags} times, so those sessions did not charge;`);
      lines.push('        register it as Accepted (--api and --token do)');
    }
    lines.push(`  run time            ${((Date.now() - this.startedAt) / 1000).toFixed(1)} s`);
    return lines.join('\n');
  }
}

/** Shows `stats.line()` on stderr: rewritten in place on a terminal, a new line every 5 s otherwise. */
export function startProgress(stats, stream = process.stderr) {
  const tty = Boolean(stream.isTTY);
  const timer = setInterval(() => {
    if (tty) stream.write(`\r\x1b[2K${stats.line()}`);
    else stream.write(`${stats.line()}\n`);
  }, tty ? 250 : 5_000);
  return () => {
    clearInterval(timer);
    stream.write(tty ? `\r\x1b[2K${stats.line()}\n` : `${stats.line()}\n`);
  };
}
