// The operator console's script, assembled from one module per concern (this directory), and served
// inline by src/api/dashboard-page.ts under a Content-Security-Policy that allows it by its hash.
//
// Why one inline script assembled from TypeScript modules, rather than Workers Static Assets (a
// directory of .js files behind an ASSETS binding): the console stays part of the Worker — one
// deploy, no build step, no assets directory to keep in step with wrangler dev, the workers test
// pool and `wrangler deploy` — its modules can share the API's own constants (money.ts takes the
// transaction flags from src/store/transaction-anomalies.ts), and the page is one response whose
// CSP allows exactly its own script and style (no 'self' script origin for anything else to use).
// Each module exports plain browser JavaScript as a string; they run in one function scope, in the
// order below (helpers first, the start last), so a module uses what the ones before it declare
// and function declarations are visible to all. A newcomer reads the one module of the screen or
// concern at hand.

import { API_CLIENT } from './api-client';
import { DOM } from './dom';
import { FORMAT } from './format';
import { MONEY } from './money';
import { ROUTER } from './router';
import { FLEET } from './fleet';
import { ALERTS_FIRMWARE } from './alerts-firmware';
import { TARIFFS } from './tariffs';
import { TRANSACTIONS } from './transactions';
import { TX_LIST } from './tx-list';
import { TX_DETAIL } from './tx-detail';
import { TARIFF_EDITOR } from './tariff-editor';
import { JOURNAL_CHART } from './journal-chart';
import { SCHEMA_FORM } from './schema-form';
import { COMMANDS } from './commands';
import { CHARGING } from './charging';
import { CHARGER_VIEWS } from './charger-views';
import { CONFIG_EDITOR } from './config-editor';
import { DEVICE_MODEL } from './device-model';
import { CHARGER_JOBS } from './charger-jobs';
import { RESERVATIONS_CERTS } from './reservations-certs';
import { DER } from './der';
import { V21 } from './v21';
import { CHARGER } from './charger';
import { ADMIN_COMMON } from './admin-common';
import { ID_TAGS } from './id-tags';
import { CHARGERS_ADMIN } from './chargers-admin';
import { TOKENS } from './tokens';
import { AUDIT } from './audit';
import { LOCAL_LIST } from './local-list';
import { SITES } from './sites';
import { SITE_DETAIL } from './site-detail';
import { SITE_FORMS } from './site-forms';
import { SITE_LOAD } from './site-load';
import { LIVE } from './live';
import { MAIN } from './main';

/** The modules in the order they run; MAIN starts the console. */
export const CONSOLE_MODULES: ReadonlyArray<readonly [name: string, source: string]> = [
  ['api-client', API_CLIENT],
  ['dom', DOM],
  ['format', FORMAT],
  ['money', MONEY],
  ['router', ROUTER],
  ['fleet', FLEET],
  ['alerts-firmware', ALERTS_FIRMWARE],
  ['tariffs', TARIFFS],
  ['transactions', TRANSACTIONS],
  ['tx-list', TX_LIST],
  ['tx-detail', TX_DETAIL],
  ['tariff-editor', TARIFF_EDITOR],
  ['journal-chart', JOURNAL_CHART],
  ['schema-form', SCHEMA_FORM],
  ['commands', COMMANDS],
  ['charging', CHARGING],
  ['charger-views', CHARGER_VIEWS],
  ['config-editor', CONFIG_EDITOR],
  ['device-model', DEVICE_MODEL],
  ['charger-jobs', CHARGER_JOBS],
  ['reservations-certs', RESERVATIONS_CERTS],
  ['der', DER],
  ['v21', V21],
  ['charger', CHARGER],
  ['admin-common', ADMIN_COMMON],
  ['id-tags', ID_TAGS],
  ['chargers-admin', CHARGERS_ADMIN],
  ['tokens', TOKENS],
  ['audit', AUDIT],
  ['local-list', LOCAL_LIST],
  ['sites', SITES],
  ['site-detail', SITE_DETAIL],
  ['site-forms', SITE_FORMS],
  ['site-load', SITE_LOAD],
  ['live', LIVE],
  ['main', MAIN],
];

/** The console's one inline script: every module in one strict function scope. */
export const CONSOLE_SCRIPT = [
  '\n(function () {\n  \'use strict\';\n',
  ...CONSOLE_MODULES.map(([name, source]) => `  // ==== ${name} ====${source}`),
  '})();\n',
].join('');
