// Worker entry: the Hono app (charger WebSockets at /ocpp, the operator API at /api/v1) and the Durable Object class.

import { Hono } from 'hono';
import { cors } from 'hono/cors';
import { archiveRoutes } from './api/archive';
import { firmwareRoutes } from './api/firmware';
import { gridRoutes } from './api/grid';
import { checkConsoleAccess, requireApiToken } from './api/auth';
import { auditChanges, auditRoutes } from './api/audit';
import { runMeterArchive } from './archive/meter-archiver';
import { cdrRoutes } from './api/cdrs';
import { chargerRoutes } from './api/chargers';
import { commandRoutes } from './api/commands';
import { compositeScheduleRoutes } from './api/composite-schedule';
import { protocolCommandRoutes } from './api/protocol-commands';
import { serveDashboard } from './api/dashboard-page';
import { serveDocsPage } from './api/docs-page';
import { apiError } from './api/errors';
import { idTagRoutes, seenOfflineTagRoutes } from './api/id-tags';
import { chargerImportRoutes, idTagImportRoutes } from './api/imports';
import { liveRoutes, openLiveSocket } from './api/live';
import { trustRootRoutes } from './api/trust-roots';
import { localListRoutes } from './api/local-list';
import { chargerLogRoutes, logUploadRoutes } from './api/log-uploads';
import { ocppRoutes } from './api/ocpp';
import { serveOpenApi } from './api/openapi';
import { rejectUndeclaredQuery } from './api/query-names';
import { chargerPasswordRoutes } from './api/charger-password';
import { chargerViewRoutes } from './api/charger-views';
import { derControlRoutes } from './api/der-controls';
import { reportViewRoutes } from './api/report-views';
import { eventStreamRoutes } from './api/event-streams';
import { securityCommandRoutes } from './api/security-commands';
import { securityEventRoutes } from './api/security-events';
import { chargerTariffRoutes, tariffAssignmentRoutes, tariffRoutes } from './api/tariffs';
import { ocpp21TariffRoutes } from './api/ocpp21-tariffs';
import { siteAllocationRoutes } from './api/site-allocation';
import { chargerSiteRoutes, siteRoutes } from './api/sites';
import { tokenRoutes } from './api/tokens';
import { transactionRoutes } from './api/transactions';
import { transactionCostRoutes } from './api/transaction-costs';
import { whoamiRoutes } from './api/whoami';
import type { Env } from './env';
import { isolateStats, markIsolateStarted, workerD1 } from './isolate-stats';
import { countingD1 } from './store/counting-d1';
import { countingR2 } from './store/counting-r2';
import { countingNamespace } from './counting-stubs';

export { ChargerSession } from './charger/session';
export { FleetWriter } from './fleet/fleet-writer';
export { ConsoleHub } from './live/hub';
export { SiteAllocator } from './sites/site-object';

export const app = new Hono<{ Bindings: Env }>();

app.route('/ocpp', ocppRoutes);

// Every GET under /api/v1 takes only the query parameters the OpenAPI document declares for it.
app.use('/api/v1/*', rejectUndeclaredQuery);
app.get('/api/v1/health', (c) => c.json({ status: 'ok' }));
// Documentation needs no token: the OpenAPI document and the reference page that renders it.
app.get('/api/v1/openapi.json', serveOpenApi);
app.get('/api/v1/docs', serveDocsPage);
// The operator dashboard: the page needs no token; it asks for one and sends it with every API call.
// Behind Cloudflare Access, an Access identity the page arrives with is checked first (api/auth.ts).
// ('/dashboard/*' covers /dashboard itself too.)
app.use('/dashboard/*', checkConsoleAccess);
app.get('/dashboard', serveDashboard);
// The site's root leads to the console (an operator typing the host name lands there, not on a JSON 404).
app.get('/', (c) => c.redirect('/dashboard', 302));
// Chargers upload log and diagnostics files here, with no API token: the signed URL is the credential.
app.route('/uploads/logs', logUploadRoutes);
// CORS is off unless CORS_ORIGINS names the browser origins allowed to call the API.
app.use('/api/v1/*', async (c, next) => {
  const origins = (c.env.CORS_ORIGINS ?? '').split(',').map((o) => o.trim()).filter(Boolean);
  if (origins.length === 0) return next();
  return cors({ origin: origins, allowHeaders: ['Authorization', 'Content-Type'], maxAge: 600 })(c, next);
});
// The live console's WebSocket: browsers cannot send a token header on one, so its ticket (from
// POST /api/v1/live/tickets, behind the token) is its credential.
app.get('/api/v1/live', openLiveSocket);
// Changes are recorded with who asked once the answer is made (api/audit.ts), so this wraps authentication.
app.use('/api/v1/*', auditChanges);
app.use('/api/v1/*', requireApiToken);
app.route('/api/v1/whoami', whoamiRoutes);
app.route('/api/v1/audit', auditRoutes);
app.route('/api/v1/live', liveRoutes);
// Bulk imports first: POST /chargers/import and /id-tags/import are not a charger or tag named "import".
app.route('/api/v1/chargers', chargerImportRoutes);
app.route('/api/v1/id-tags', idTagImportRoutes);
app.route('/api/v1/chargers', chargerRoutes);
app.route('/api/v1/chargers', chargerViewRoutes);
app.route('/api/v1/chargers', reportViewRoutes);
app.route('/api/v1/chargers', eventStreamRoutes);
app.route('/api/v1/chargers', localListRoutes);
app.route('/api/v1/chargers', compositeScheduleRoutes);
app.route('/api/v1/chargers', chargerPasswordRoutes);
app.route('/api/v1/chargers', securityCommandRoutes);
app.route('/api/v1/chargers', chargerLogRoutes);
app.route('/api/v1/chargers', chargerTariffRoutes);
app.route('/api/v1/chargers', ocpp21TariffRoutes);
app.route('/api/v1/chargers', derControlRoutes);
app.route('/api/v1/chargers', gridRoutes);
app.route('/api/v1/chargers', chargerSiteRoutes);
app.route('/api/v1/id-tags', idTagRoutes);
app.route('/api/v1/seen-offline-tags', seenOfflineTagRoutes);
app.route('/api/v1/trust-roots', trustRootRoutes);
app.route('/api/v1/transactions', transactionRoutes);
app.route('/api/v1/transactions', transactionCostRoutes);
app.route('/api/v1/cdrs', cdrRoutes);
app.route('/api/v1/security-events', securityEventRoutes);
app.route('/api/v1/commands', commandRoutes);
// What each OCPP version's commands take, for the console's generated forms.
app.route('/api/v1/protocols', protocolCommandRoutes);
app.route('/api/v1/tokens', tokenRoutes);
app.route('/api/v1/archive', archiveRoutes);
app.route('/api/v1/firmware', firmwareRoutes);
app.route('/api/v1/tariffs', tariffRoutes);
app.route('/api/v1/tariff-assignments', tariffAssignmentRoutes);
app.route('/api/v1/sites', siteRoutes);
app.route('/api/v1/sites', siteAllocationRoutes);
// This isolate's counters (see isolate-stats.ts); the benchmark reads them.
app.get('/api/v1/isolate-stats', (c) => c.json(isolateStats));

app.notFound((c) => apiError(c, 404, 'NotFound', `No route for ${c.req.method} ${new URL(c.req.url).pathname}`));
app.onError((error, c) => {
  console.error(JSON.stringify({ level: 'error', what: 'http', path: c.req.path, error: String(error) }));
  return apiError(c, 500, 'InternalError', 'Something went wrong on our side; the request may be retried');
});

/** The Worker's bindings with D1 and R2 counted (isolateStats; its own D1 use apart, workerD1); only the Worker uses the ARCHIVE bucket. */
function counted(env: Env): Env {
  return { ...env, DB: countingD1(env.DB, workerD1), ARCHIVE: env.ARCHIVE && countingR2(env.ARCHIVE) };
}

export default {
  fetch(request, env, ctx) {
    markIsolateStarted();
    return app.fetch(request, { ...counted(env), CHARGERS: countingNamespace(env.CHARGERS, 'chargerRpcCalls') }, ctx);
  },
  /** The Cron Trigger (wrangler.toml [triggers]): one bounded run of the meter archive. */
  async scheduled(_controller, env, _ctx) {
    markIsolateStarted();
    const report = await runMeterArchive(counted(env));
    if (report.moved.length > 0 || report.failed.length > 0 || report.movedStreamDays.length > 0 || report.failedStreamDays.length > 0) {
      const { moved, failed, movedStreamDays, ...rest } = report;
      const warn = failed.length > 0 || rest.failedStreamDays.length > 0;
      console.log(JSON.stringify({ level: warn ? 'warn' : 'info', what: 'meter-archive', ...rest, moved: moved.length, failed, movedStreamDays: movedStreamDays.length }));
    }
  },
} satisfies ExportedHandler<Env>;
