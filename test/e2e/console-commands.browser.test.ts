// The console's command panel in a real headless Chromium (issue 15 "Commands"): the action picker
// offers exactly the CSMS-initiated actions of the charger's version, each form is generated from the
// API's request schema (a nested 2.0.1 SetChargingProfile with two schedule periods is filled in
// through it), one form sends any number of times with each answer shown, strict chargers receive
// schema-valid payloads, the installed profile is listed and the composite schedule drawn; a value
// the API refuses shows its issue next to the field, and nothing reaches the charger. Also: edit as
// JSON and back, a credential change sent through the admin route, a fresh remoteStartId per send,
// and a running transaction's stop filled in from the transactions list.
import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import * as v16Actions from '../../src/ocpp/v16/actions.ts';
import * as v201Actions from '../../src/ocpp/v201/actions.ts';
import { openDashboard, useBrowser } from './console-helpers.ts';
import { bootedCharger, type Charger, type Protocol, uniqueChargerId } from './helpers.ts';

useBrowser();

/** A charger's screen, its command panel loaded. */
async function chargerScreen(id: string): Promise<{ page: Page; consoleErrors: string[] }> {
  const opened = await openDashboard(`#/chargers/${encodeURIComponent(id)}`);
  await opened.page.locator('#command-action').waitFor({ timeout: 30_000 });
  return opened;
}

/** A local date-time as a datetime-local input takes it (the browser runs in this process's time zone). */
function localInput(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  // As a datetime-local input gives its value back: seconds only when they are not 0 (HTML's
  // valid normalized local date and time string), so a start on a whole minute reads "…T07:03".
  const seconds = d.getSeconds() === 0 ? '' : `:${p(d.getSeconds())}`;
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}${seconds}`;
}

/** Records each call of `action` the charger receives (ocpp-rpc in strict mode has checked it against the official schema). */
function received(charger: Charger, action: string, answer: Record<string, unknown>): unknown[] {
  const calls: unknown[] = [];
  charger.handle(action, async ({ params }) => {
    calls.push(params);
    return answer;
  });
  return calls;
}

/**
 * A booted strict charger that answers `action` with `answer` (its calls recorded), and its screen
 * with that action picked in the command panel.
 */
async function actionForm(protocol: Protocol, prefix: string, action: string, answer: Record<string, unknown>) {
  const id = uniqueChargerId(prefix);
  const charger = await bootedCharger(protocol, id);
  const calls = received(charger, action, answer);
  const { page, consoleErrors } = await chargerScreen(id);
  const form = page.locator('form.command');
  await page.locator('#command-action').selectOption(action);
  await expect.poll(() => form.locator('h4').textContent(), { timeout: 15_000 }).toBe(action);
  return { charger, calls, page, consoleErrors, form };
}

/** Sends one form twice, each time once the last answer is in; returns its Send button. */
async function sendTwice(form: Locator): Promise<Locator> {
  const send = form.getByRole('button', { name: 'Send' });
  for (const answered of [1, 2]) {
    await expect.poll(() => send.isDisabled(), { timeout: 30_000 }).toBe(false);
    await send.click();
    await expect.poll(() => form.locator('.answer .result.ok').count(), { timeout: 30_000 }).toBe(answered);
  }
  return send;
}

describe('the console command panel in a browser', () => {
  for (const [protocol, actions] of [['ocpp1.6', v16Actions.CSMS_INITIATED], ['ocpp2.0.1', v201Actions.CSMS_INITIATED]] as const) {
    it(`issue 15: the picker offers exactly the CSMS-initiated actions of OCPP ${protocol.slice(4)}, the common ones first`, async () => {
      const id = uniqueChargerId('CMDPICK');
      await bootedCharger(protocol as Protocol, id);
      const { page, consoleErrors } = await chargerScreen(id);
      const offered = await page.locator('#command-action option').allTextContents();
      expect([...offered].sort()).toEqual([...actions].sort());
      expect(new Set(offered).size).toBe(offered.length);
      const common = protocol === 'ocpp1.6'
        ? ['Reset', 'RemoteStartTransaction', 'RemoteStopTransaction', 'UnlockConnector', 'TriggerMessage', 'ChangeAvailability']
        : ['Reset', 'RequestStartTransaction', 'RequestStopTransaction', 'UnlockConnector', 'TriggerMessage', 'ChangeAvailability'];
      expect(offered.slice(0, common.length)).toEqual(common);
      // Every action's form is generated without an error (none is hand-made).
      for (const action of actions) {
        await page.locator('#command-action').selectOption(action);
        await expect.poll(() => page.locator('form.command h4').textContent(), { timeout: 15_000 }).toBe(action);
      }
      expect(consoleErrors).toEqual([]);
      await page.close();
    }, 60_000);
  }

  it('issue 15 / 2.0.1 K01: a TxDefaultProfile with two periods filled in through the generated form, sent twice from it, both answers shown; listed, and its composite schedule drawn', async () => {
    const { charger, calls: profiles, page, consoleErrors, form } = await actionForm('ocpp2.0.1', 'CMDPROF', 'SetChargingProfile', { status: 'Accepted' });

    // evseId comes from the defaults table (1); the rest is typed into the generated fields.
    expect(await form.locator('[name="evseId"]').inputValue()).toBe('1');
    await form.locator('[name="chargingProfile.id"]').fill('7');
    await form.locator('[name="chargingProfile.stackLevel"]').fill('0');
    await form.locator('[name="chargingProfile.chargingProfilePurpose"]').selectOption('TxDefaultProfile');
    await form.locator('[name="chargingProfile.chargingProfileKind"]').selectOption('Absolute');
    const schedule = 'chargingProfile.chargingSchedule[0]';
    await form.locator(`[name="${schedule}.id"]`).fill('1');
    await form.locator(`[name="${schedule}.chargingRateUnit"]`).selectOption('A');
    // An optional field is added on demand; the start a minute ago, in local time, sent as UTC.
    await form.getByRole('button', { name: '+ startSchedule' }).click();
    const startMs = Math.floor(Date.now() / 1000) * 1000 - 60_000;
    await form.locator(`[name="${schedule}.startSchedule"]`).fill(localInput(startMs));
    await form.locator(`[name="${schedule}.chargingSchedulePeriod[0].startPeriod"]`).fill('0');
    await form.locator(`[name="${schedule}.chargingSchedulePeriod[0].limit"]`).fill('16');
    await form.getByRole('button', { name: 'Add chargingSchedulePeriod item' }).click();
    await form.locator(`[name="${schedule}.chargingSchedulePeriod[1].startPeriod"]`).fill('1800');
    await form.locator(`[name="${schedule}.chargingSchedulePeriod[1].limit"]`).fill('10');
    // minItems holds: the one schedule cannot be removed; of two periods, either can.
    const removable = (name: string) => form.getByRole('button', { name, exact: true }).isEnabled();
    expect(await removable('Remove chargingSchedule 1')).toBe(false);
    expect([await removable('Remove chargingSchedulePeriod 1'), await removable('Remove chargingSchedulePeriod 2')]).toEqual([true, true]);

    const send = await sendTwice(form);
    expect(await form.locator('.answer').allTextContents()).toEqual([
      expect.stringContaining('SetChargingProfile: Accepted'),
      expect.stringContaining('SetChargingProfile: Accepted'),
    ]);
    // The charger (strict: schema-checked) got the same payload twice, exactly what was typed, untouched optionals omitted.
    const expected = {
      evseId: 1,
      chargingProfile: {
        id: 7,
        stackLevel: 0,
        chargingProfilePurpose: 'TxDefaultProfile',
        chargingProfileKind: 'Absolute',
        chargingSchedule: [{
          id: 1,
          startSchedule: new Date(startMs).toISOString().replace('.000Z', 'Z'),
          chargingRateUnit: 'A',
          chargingSchedulePeriod: [{ startPeriod: 0, limit: 16 }, { startPeriod: 1800, limit: 10 }],
        }],
      },
    };
    expect(profiles).toEqual([expected, expected]);

    // The profile is listed, and the composite schedule for EVSE 1 over the next hour shows both limits.
    const section = page.locator('#detail .charging-section');
    const profileRow = section.locator('table.profiles tbody tr');
    await expect.poll(async () => (await profileRow.allTextContents()).join('|'), { timeout: 30_000 }).toMatch(/^7.*1.*TxDefaultProfile.*0.*Absolute.*A: 0 s 16, 1800 s 10/);
    await section.locator('select[name="duration"]').selectOption('3600');
    await section.locator('select[name="unit"]').selectOption('A');
    await section.getByRole('button', { name: 'Show' }).click();
    const periods = section.locator('table.schedule-periods tbody tr');
    await expect.poll(async () => (await periods.allTextContents()).map((t) => t.replace(/^.*?\+/, '+')), { timeout: 30_000 })
      .toEqual([expect.stringMatching(/^\+0 s16 A/), expect.stringMatching(/^\+17\d\d s10 A/)]);
    const chart = section.locator('svg.chart.schedule');
    expect(await chart.getAttribute('role')).toBe('img');
    expect(await chart.locator('text.step').allTextContents()).toEqual(['16 A', '10 A']);
    // One step line: down from 16 A to 10 A, drawn left to right.
    const d = (await chart.locator('path.line').getAttribute('d')) ?? '';
    expect(d).toMatch(/^M[\d.]+ [\d.]+ H[\d.]+ V[\d.]+ H[\d.]+$/);
    const [, y16, y10] = /^M[\d.]+ ([\d.]+) H[\d.]+ V([\d.]+)/.exec(d)!;
    expect(Number(y10)).toBeGreaterThan(Number(y16)); // SVG y grows downwards: the lower limit sits lower

    // The charger's own view: GetCompositeSchedule from the same panel, answered from what it was given, shown beside the form.
    charger.handle('GetCompositeSchedule', async ({ params }) => {
      const given = (profiles.at(-1) as typeof expected).chargingProfile.chargingSchedule[0]!;
      const asked = params as { evseId: number; duration: number };
      return { status: 'Accepted', schedule: { evseId: asked.evseId, duration: asked.duration, scheduleStart: given.startSchedule, chargingRateUnit: 'A', chargingSchedulePeriod: given.chargingSchedulePeriod } };
    });
    await page.locator('#command-action').selectOption('GetCompositeSchedule');
    expect(await form.locator('[name="duration"]').inputValue()).toBe('3600');
    await send.click();
    await expect.poll(async () => (await form.locator('.answer').first().textContent()) ?? '', { timeout: 30_000 }).toContain('GetCompositeSchedule: Accepted');
    expect(await form.locator('.answer').first().textContent()).toMatch(/"startPeriod": 1800,\s*"limit": 10/);
    expect(await form.locator('.answer').count()).toBe(3); // the answers stay beside the panel, newest first
    expect(consoleErrors).toEqual([]);
    await page.close();
  }, 120_000);

  it('issue 15 / 1.6 §5.16: SetChargingProfile begun in the generated form, finished as JSON, shown back in the form and sent; the charger gets exactly that payload', async () => {
    const { calls: profiles, page, consoleErrors, form } = await actionForm('ocpp1.6', 'CMDJSON', 'SetChargingProfile', { status: 'Accepted' });
    await form.locator('[name="csChargingProfiles.chargingProfileId"]').fill('5');
    await form.locator('[name="csChargingProfiles.chargingProfilePurpose"]').selectOption('TxDefaultProfile');

    // As JSON: what was typed so far, the connector from the default values.
    await form.getByLabel('Edit as JSON').check();
    const json = form.locator('textarea.json');
    const begun = JSON.parse(await json.inputValue());
    expect(begun).toMatchObject({ connectorId: 1, csChargingProfiles: { chargingProfileId: 5, chargingProfilePurpose: 'TxDefaultProfile' } });
    const startMs = Math.floor(Date.now() / 1000) * 1000 - 60_000;
    const payload = {
      connectorId: 1,
      csChargingProfiles: {
        chargingProfileId: 5,
        stackLevel: 1,
        chargingProfilePurpose: 'TxDefaultProfile',
        chargingProfileKind: 'Absolute',
        chargingSchedule: {
          startSchedule: new Date(startMs).toISOString().replace('.000Z', 'Z'),
          chargingRateUnit: 'A',
          chargingSchedulePeriod: [{ startPeriod: 0, limit: 32 }, { startPeriod: 600, limit: 11 }],
        },
      },
    };
    await json.fill(JSON.stringify(payload));
    // Back to the form: every value in its field, the second period included.
    await form.getByLabel('Edit as JSON').uncheck();
    const schedule = 'csChargingProfiles.chargingSchedule';
    await expect.poll(() => form.locator(`[name="${schedule}.chargingSchedulePeriod[1].limit"]`).inputValue(), { timeout: 15_000 }).toBe('11');
    expect(await form.locator(`[name="${schedule}.startSchedule"]`).inputValue()).toBe(localInput(startMs));
    expect(await form.locator('[name="csChargingProfiles.stackLevel"]').inputValue()).toBe('1');
    await form.getByRole('button', { name: 'Send' }).click();
    await expect.poll(() => profiles.length, { timeout: 30_000 }).toBe(1);
    expect(profiles).toEqual([payload]);
    await expect.poll(async () => (await form.locator('.answer').first().textContent()) ?? '', { timeout: 30_000 }).toContain('SetChargingProfile: Accepted');
    const profileRow = page.locator('#detail .charging-section table.profiles tbody tr');
    await expect.poll(async () => (await profileRow.allTextContents()).join('|'), { timeout: 30_000 }).toMatch(/^5.*1.*TxDefaultProfile.*A: 0 s 32, 600 s 11/);
    expect(consoleErrors).toEqual([]);
    await page.close();
  }, 90_000);

  it('issue 15 / 1.6 §5.11: an idTag longer than 20 characters shows the API\'s issue next to the field and nothing is sent; fixed, the same form sends it', async () => {
    const { calls: starts, page, consoleErrors, form } = await actionForm('ocpp1.6', 'CMDBAD', 'RemoteStartTransaction', { status: 'Accepted' });
    const idTag = form.locator('[name="idTag"]');
    await idTag.fill('X'.repeat(21));
    await form.getByRole('button', { name: 'Send' }).click();
    const field = form.locator('.field:has([name="idTag"])');
    await expect.poll(async () => (await field.locator('.issue').textContent()) ?? '', { timeout: 30_000 }).toMatch(/^idTag .*20/);
    expect(await idTag.getAttribute('aria-invalid')).toBe('true');
    expect(await form.locator('.answer').first().textContent()).toMatch(/RemoteStartTransaction was not sent \(HTTP 400\): InvalidPayload/);
    expect(starts).toEqual([]);

    // Corrected in the same form: sent, answered, and the issue gone.
    await idTag.fill('CMDBADTAG');
    await form.getByRole('button', { name: 'Send' }).click();
    await expect.poll(() => starts.length, { timeout: 30_000 }).toBe(1);
    expect(starts).toEqual([{ idTag: 'CMDBADTAG', connectorId: 1 }]);
    await expect.poll(async () => (await form.locator('.answer').first().textContent()) ?? '', { timeout: 30_000 }).toContain('RemoteStartTransaction: Accepted');
    expect(await field.locator('.issue').count()).toBe(0);
    // The API's refusal is a 400 answer, which Chromium logs as a failed load: that one line, and nothing else.
    expect(consoleErrors).toEqual(['Failed to load resource: the server responded with a status of 400 (Bad Request)']);
    await page.close();
  }, 60_000);

  it('issue 15 / 2.0.1 M04: a DeleteCertificate the command route refuses (a credential change) is offered through the admin security route, and sent from there', async () => {
    const { calls: deletes, page, consoleErrors, form } = await actionForm('ocpp2.0.1', 'CMDSEC', 'DeleteCertificate', { status: 'Accepted' });
    const hash = 'certificateHashData';
    await form.locator(`[name="${hash}.hashAlgorithm"]`).selectOption('SHA256');
    await form.locator(`[name="${hash}.issuerNameHash"]`).fill('a1b2');
    await form.locator(`[name="${hash}.issuerKeyHash"]`).fill('c3d4');
    await form.locator(`[name="${hash}.serialNumber"]`).fill('0f');
    await form.getByRole('button', { name: 'Send' }).click();
    const latest = form.locator('.answer').first();
    await expect.poll(async () => (await latest.textContent()) ?? '', { timeout: 30_000 }).toContain('DeleteCertificate was not sent: DeleteCertificate changes the charger');
    expect(deletes).toEqual([]);
    await latest.getByRole('button', { name: 'Send it through the admin security route' }).click();
    await expect.poll(async () => (await latest.textContent()) ?? '', { timeout: 30_000 }).toContain('DeleteCertificate: Accepted');
    expect(deletes).toEqual([{ certificateHashData: { hashAlgorithm: 'SHA256', issuerNameHash: 'a1b2', issuerKeyHash: 'c3d4', serialNumber: '0f' } }]);
    // The refusal is a 403 answer, which Chromium logs as a failed load: that one line, and nothing else.
    expect(consoleErrors).toEqual(['Failed to load resource: the server responded with a status of 403 (Forbidden)']);
    await page.close();
  }, 60_000);

  it('issue 15 / 2.0.1 F01: RequestStartTransaction sent twice from one form, each with a remoteStartId of its own', async () => {
    const { calls: starts, page, consoleErrors, form } = await actionForm('ocpp2.0.1', 'CMDSTART', 'RequestStartTransaction', { status: 'Accepted' });
    await form.locator('[name="idToken.idToken"]').fill('CMDSTARTTAG');
    await sendTwice(form);
    const sent = starts as Array<{ remoteStartId: number }>;
    expect(sent).toEqual([0, 1].map(() => ({ idToken: { idToken: 'CMDSTARTTAG', type: 'ISO14443' }, remoteStartId: expect.any(Number), evseId: 1 })));
    expect(sent[0]!.remoteStartId).not.toBe(sent[1]!.remoteStartId);
    expect(consoleErrors).toEqual([]);
    await page.close();
  }, 60_000);

  it('issue 15 / 1.6 §5.12: picking a running transaction picks RemoteStopTransaction with its id filled in, ready to send', async () => {
    const { charger, calls: stops, page, consoleErrors, form } = await actionForm('ocpp1.6', 'CMDSTOP', 'RemoteStopTransaction', { status: 'Accepted' });
    await page.locator('#command-action').selectOption('Reset');
    const started = (await charger.call('StartTransaction', { connectorId: 1, idTag: 'CMDSTOPTAG', meterStart: 0, timestamp: new Date().toISOString() })) as { transactionId: number };
    const id = String(started.transactionId);
    const pick = page.locator('#detail table.transactions').getByRole('button', { name: id, exact: true });
    await pick.click({ timeout: 30_000 });
    await expect.poll(() => form.locator('h4').textContent(), { timeout: 30_000 }).toBe('RemoteStopTransaction');
    expect(await form.locator('[name="transactionId"]').inputValue()).toBe(id);
    await form.getByRole('button', { name: 'Send' }).click();
    await expect.poll(() => stops.length, { timeout: 30_000 }).toBe(1);
    expect(stops).toEqual([{ transactionId: started.transactionId }]);
    expect(consoleErrors).toEqual([]);
    await page.close();
  }, 60_000);
});
