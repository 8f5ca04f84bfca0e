// The console's formatting of times, energy, sizes, OCPP versions and places (connector, EVSE).

export const FORMAT = String.raw`
  var ENERGY = 'Energy.Active.Import.Register';
  var DAY_MS = 86400000;
  function time(iso) { return iso ? new Date(iso).toLocaleString() : '—'; }
  function clock(iso) { return iso ? new Date(iso).toLocaleTimeString() : '—'; }
  function kwh(wh) { return wh === null || wh === undefined ? '—' : (wh / 1000).toFixed(2) + ' kWh'; }
  function bytes(n) { return n < 1024 ? n + ' B' : n < 1048576 ? (n / 1024).toFixed(1) + ' KiB' : (n / 1048576).toFixed(1) + ' MiB'; }
  function orDash(x) { return x === null || x === undefined || x === '' ? '—' : x; }
  function version(protocol) { return protocol ? protocol.replace(/^ocpp/, '') : '—'; }
  function place(protocol, evseId, connectorId) {
    if (protocol === 'ocpp1.6') return connectorId === 0 ? 'charge point' : 'connector ' + connectorId;
    return 'EVSE ' + evseId + (connectorId ? ' / ' + connectorId : '');
  }
`;
