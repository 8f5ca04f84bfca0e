import { describe, expect, it } from 'vitest';
import { displayMessageReportsFromCommand, displayMessagesView, type DisplayMessageRow } from './display-messages';

const NOW = '2026-07-01T10:00:00.000Z';
const info = (id: number, content: string) => ({ id, priority: 'NormalCycle', message: { format: 'UTF8', content } });
const row = (id: number, action: string, payload: Record<string, unknown>): DisplayMessageRow => ({ id, action, receivedAt: NOW, requestId: null, payload });

describe('display messages (O01, O03, O05, O06)', () => {
  it('keeps an accepted SetDisplayMessage and ClearDisplayMessage as changes, and nothing the charger refused', () => {
    const set = displayMessageReportsFromCommand('ocpp2.0.1', 'SetDisplayMessage', { message: info(1, 'hi') }, { status: 'Accepted' }, NOW);
    expect(set).toEqual([{ action: 'SetDisplayMessage', messageId: expect.stringMatching(/^csms:/), receivedAt: NOW, requestId: undefined, payload: { message: info(1, 'hi'), status: 'Accepted' }, digest: 'csms' }]);
    expect(displayMessageReportsFromCommand('ocpp2.0.1', 'ClearDisplayMessage', { id: 1 }, { status: 'Accepted' }, NOW)[0]!.payload).toEqual({ id: 1, status: 'Accepted' });
    for (const status of ['Rejected', 'NotSupportedPriority', 'UnknownTransaction']) {
      expect(displayMessageReportsFromCommand('ocpp2.0.1', 'SetDisplayMessage', { message: info(1, 'hi') }, { status }, NOW)).toEqual([]);
    }
    expect(displayMessageReportsFromCommand('ocpp2.0.1', 'ClearDisplayMessage', { id: 1 }, { status: 'Unknown' }, NOW)).toEqual([]);
    // Two changes made in the same millisecond are two rows, not one.
    const again = displayMessageReportsFromCommand('ocpp2.0.1', 'SetDisplayMessage', { message: info(1, 'hi') }, { status: 'Accepted' }, NOW);
    expect(again[0]!.messageId).not.toBe(set[0]!.messageId);
  });

  it('O03: an unfiltered GetDisplayMessages answered Unknown is an empty report; a filtered one says nothing of the others', () => {
    expect(displayMessageReportsFromCommand('ocpp2.0.1', 'GetDisplayMessages', { requestId: 4 }, { status: 'Unknown' }, NOW)).toEqual([
      expect.objectContaining({ action: 'GetDisplayMessages', requestId: 4, payload: { requestId: 4, status: 'Unknown' } }),
    ]);
    expect(displayMessageReportsFromCommand('ocpp2.0.1', 'GetDisplayMessages', { requestId: 4, id: [1] }, { status: 'Unknown' }, NOW)).toEqual([]);
    expect(displayMessageReportsFromCommand('ocpp2.0.1', 'GetDisplayMessages', { requestId: 4 }, { status: 'Accepted' }, NOW)).toEqual([]);
  });

  it('O05/O06: the report, then sets replacing by id and clears removing, in order', () => {
    const base = [row(1, 'NotifyDisplayMessages', { requestId: 3, messageInfo: [info(2, 'b'), info(1, 'a')] })];
    const changes = [
      row(2, 'SetDisplayMessage', { message: info(1, 'a2'), status: 'Accepted' }),
      row(3, 'ClearDisplayMessage', { id: 2, status: 'Accepted' }),
      row(4, 'SetDisplayMessage', { message: info(2, 'b2'), status: 'Accepted' }),
      row(5, 'ClearDisplayMessage', { id: 9, status: 'Accepted' }),
    ];
    expect(displayMessagesView(base, changes).map((m) => [m.id, m.message?.content, m.source])).toEqual([
      [1, 'a2', 'SetDisplayMessage'],
      [2, 'b2', 'SetDisplayMessage'],
    ]);
    expect(displayMessagesView(base, []).map((m) => m.id)).toEqual([1, 2]);
  });
});
