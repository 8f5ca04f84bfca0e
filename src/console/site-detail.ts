// The console's site screen (#/sites/{id}, issue 17): the site's limit now (GET …/allocation: the
// lowest of its grid limit, the daily schedule's period and an external limit), its own values,
// its circuits as a tree with the chargers wired to each, and the chargers on it. It reads the
// allocation and the log's first page every few seconds while shown (the live feed says nothing of
// sites), the load chart every 30 s and the site itself every minute or after a change made here.
// The forms are site-forms.ts's; the allocation, chart and log site-load.ts's.

export const SITE_DETAIL = String.raw`
  /** Reads while the site screen is shown and the live feed is open (without it, the console's poll reads every POLL_MS). */
  var SITE_REFRESH_MS = 5000;
  var SITE_CONFIG_MS = 60000;
  var SITE_LOAD_MS = 30000;
  function siteReset(id) {
    if (state.site) clearTimeout(state.site.timer);
    state.site = {
      id: id, config: null, configAt: 0, configShown: null, allocation: null, load: null, loadAt: 0, loadShown: null,
      loadHours: 24, log: [], logPaging: newPaging(), logShown: null, built: false, say: null, forms: null, timer: null,
    };
  }
  siteReset(null);
  /** The router shows the site named by the URL: the screen is built again for another site. */
  function selectSite(id) {
    if (state.site.id === id) return;
    siteReset(id);
    $('site-detail').replaceChildren(h('p', 'note', 'Loading site ' + id + '…'));
  }
  function sitePath(suffix) { return '/sites/' + enc(state.site.id) + (suffix || ''); }
  /** A change was made here: read the site itself again now. */
  function siteChanged() { state.site.configAt = 0; refreshNow(); }
  function siteBox(cls) { return $('site-detail').querySelector('.' + cls); }
  /** A part's read: its answer, or { error } so that the other parts still show. */
  function sitePart(path) { return read(path).then(function (json) { return { json: json }; }, function (error) { return { error: error }; }); }
  function loadSite() {
    var s = state.site;
    if (!s.id) return Promise.resolve();
    var id = s.id, now = Date.now();
    var wantConfig = !s.config || now - s.configAt > SITE_CONFIG_MS;
    var wantLoad = !s.load || now - s.loadAt > SITE_LOAD_MS;
    var firstLogPage = s.logPaging.cursors.length === 1;
    return Promise.all([
      wantConfig ? sitePart(sitePath()) : null,
      sitePart(sitePath('/allocation')),
      wantLoad ? sitePart(siteLoadQuery()) : null,
      firstLogPage || !s.logShown ? sitePart(siteLogQuery()) : null,
    ]).then(function (r) {
      if (state.site !== s || s.id !== id) return; // another site meanwhile
      var failed = r.filter(function (x) { return x && x.error; })[0];
      if (r[0] && r[0].error) {
        if (!s.config) { siteMissing(r[0].error); throw r[0].error; }
      } else if (r[0]) { s.config = r[0].json.site; s.configAt = now; }
      buildSite();
      if (r[0] && !r[0].error) renderSiteConfig();
      s.allocation = r[1].error ? { error: r[1].error } : r[1].json.allocation;
      renderSiteHead();
      renderSiteAllocation();
      if (r[2]) { s.load = r[2].error ? { error: r[2].error } : r[2].json; s.loadAt = now; renderSiteLoad(); }
      if (r[3]) renderSiteLog(r[3]);
      siteArm();
      if (failed) throw failed.error;
    });
  }
  /** The next read while the feed is open (it brings nothing of sites); paused while the tab is hidden. */
  function siteArm() {
    var s = state.site;
    clearTimeout(s.timer);
    if (!liveOpen()) return;
    s.timer = setTimeout(function () { if (state.site === s && state.screen === 'site' && !document.hidden) refreshNow(); }, SITE_REFRESH_MS);
  }
  function siteMissing(error) {
    $('site-detail').replaceChildren(h('h2', null, 'Site ' + state.site.id), link('All sites', '#/sites'),
      h('pre', 'result bad', error.status === 404 ? 'No site "' + state.site.id + '" exists (404).' : 'The site could not be read: ' + error.message));
  }
  /** The screen's parts, once per site: what is re-read fills them; the forms keep what the operator types. */
  function buildSite() {
    var s = state.site;
    if (s.built) return;
    s.built = true;
    s.say = answerBox();
    var forms = siteForms();
    s.forms = forms;
    var range = choice('loadHours', [['1', 'last hour'], ['6', 'last 6 hours'], ['24', 'last 24 hours'], ['168', 'last 7 days']]);
    range.value = String(s.loadHours);
    range.addEventListener('change', function () { s.loadHours = Number(range.value); s.loadAt = 0; refreshNow(); });
    $('site-detail').replaceChildren(
      add(h('div', 'head'), h('h2', 'site-title', 'Site ' + s.id), link('All sites', '#/sites')),
      h('dl', 'site-facts'),
      s.say.box,
      add(h('section', 'site-limits'), h('h3', null, 'External limit'), h('p', 'note site-external'), forms.external),
      add(h('section', 'site-allocation-box'), h('h3', null, 'Allocation now'), h('div', 'site-allocation')),
      add(h('section', 'site-load-box'), add(h('div', 'head'), h('h3', null, 'Load over time'), labelled('Span', range)), h('div', 'site-load')),
      add(h('section', 'site-tree-box'), h('h3', null, 'Circuits'), h('div', 'site-tree'), forms.circuit),
      add(h('section', 'site-chargers-box'), h('h3', null, 'Chargers on the site'), h('div', 'site-chargers'), forms.charger),
      add(h('section', 'site-log-box'), h('h3', null, 'Log: sessions, profiles sent and the chargers\' answers'), h('div', 'site-log'), h('div', 'pager site-log-pager')));
  }
  function siteFact(dl, term, value, cls) { add(dl, add(h('div', 'fact'), h('dt', null, term), h('dd', cls, value))); }
  /** The daily schedule in words: "from 07:00 80 A per phase; from 22:00 100 A per phase (Europe/Amsterdam)". */
  function siteScheduleText(site) {
    if (!site.dailySchedule.length) return 'none';
    return site.dailySchedule.map(function (p) { return 'from ' + p.start + ' ' + siteLimitText(p.limit); }).join('; ') + ' (' + site.timeZone + ')';
  }
  function siteExternalText(site) {
    var x = site.externalLimit;
    return x ? siteLimitText(x.limit) + (x.until ? ' until ' + time(x.until) : ' until replaced or cleared') : 'none';
  }
  /** The site's name, its limit now (the allocator's), and its own values. */
  function renderSiteHead() {
    var s = state.site, site = s.config, a = s.allocation;
    if (!site) return;
    siteBox('site-title').textContent = site.name + (site.name !== site.siteId ? ' (' + site.siteId + ')' : '');
    var dl = siteBox('site-facts');
    dl.replaceChildren();
    siteFact(dl, 'Limit now', a && !a.error ? (a.configured ? siteLimitText(a.limit) : 'not yet told to its allocator') : 'unknown: ' + (a ? a.error.message : '…'), 'site-limit');
    siteFact(dl, 'Grid connection', siteLimitText(site.limit));
    siteFact(dl, 'Daily schedule', siteScheduleText(site));
    siteFact(dl, 'External limit', siteExternalText(site), 'site-external-limit');
    siteFact(dl, 'Minimum share', siteAmps(site.minAmps) + ' (or nothing)');
    siteFact(dl, 'Voltage', site.voltage + ' V');
    siteFact(dl, 'Changed', time(site.updatedAt));
  }
  /** What follows the site's own configuration: the tree, the chargers, the forms' choices. Drawn again only when it changed. */
  function renderSiteConfig() {
    var s = state.site, text = JSON.stringify(s.config);
    if (s.configShown === text) return;
    s.configShown = text;
    siteBox('site-external').textContent = 'Now: ' + siteExternalText(s.config) + '. A building meter sets it with the command scope; the site keeps under the lowest of its limits.';
    siteFormChoices(s.forms, s.config);
    renderSiteTree();
    renderSiteChargers();
  }
  /** One site change (a DELETE here): its answer said, the site read again. */
  function siteSend(method, path, okText, reset) {
    call(method, path).then(function (res) {
      state.site.say(res.ok ? 'ok' : 'bad', res.ok ? okText : res.status + ' ' + errorText(res));
      if (res.ok) siteChanged();
    }, function (error) { state.site.say('bad', error.message); }).finally(reset || function () {});
  }
  function siteChargerName(c) { return c.chargerId + (c.evseId === null ? '' : ' EVSE ' + c.evseId); }
  /** The circuits as a tree from the grid connection, each with the chargers wired to it. */
  function renderSiteTree() {
    var site = state.site.config, box = siteBox('site-tree');
    var chargersOn = function (circuitId) {
      var on = site.chargers.filter(function (c) { return c.circuitId === circuitId; });
      return on.length ? h('span', 'note', ' · chargers: ' + on.map(siteChargerName).join(', ')) : null;
    };
    var branch = function (parentId) {
      var kids = site.circuits.filter(function (c) { return c.parentId === parentId; });
      if (!kids.length) return null;
      var ul = h('ul', 'circuits');
      kids.forEach(function (c) {
        var li = add(h('li'), h('strong', 'mono', c.circuitId), c.name !== c.circuitId ? h('span', null, ' ' + c.name) : null,
          h('span', null, ' — ' + siteLimitText(c.limit)), chargersOn(c.circuitId), document.createTextNode(' '),
          scoped('admin', confirmButton('Delete', 'Delete circuit ' + c.circuitId + '?', 'Only a circuit with no charger or circuit on it can go.', function (b, reset) {
            siteSend('DELETE', sitePath('/circuits/' + enc(c.circuitId)), 'Deleted circuit ' + c.circuitId + '.', reset);
          })), branch(c.circuitId));
        li.setAttribute('data-circuit', c.circuitId);
        add(ul, li);
      });
      return ul;
    };
    box.replaceChildren(add(h('ul', 'circuits root'), add(h('li'), h('strong', null, 'Grid connection'), h('span', null, ' — ' + siteLimitText(site.limit)),
      chargersOn(null), branch(null))));
    if (!site.circuits.length) add(box, h('p', 'note', 'No circuits: every charger is directly on the grid connection.'));
  }
  /** The chargers on the site as declared, each leading to its own screen. */
  function renderSiteChargers() {
    var site = state.site.config, box = siteBox('site-chargers');
    box.replaceChildren();
    if (!site.chargers.length) { add(box, h('p', 'note', 'No charger is on this site yet.')); return; }
    var t = table(['Charger', 'EVSE', 'Circuit', 'Rating', 'Phase rotation', 'Fallback', 'Priority', ''], 'site-charger-rows cards');
    site.chargers.forEach(function (c) {
      var query = c.evseId === null ? '' : '?evseId=' + c.evseId;
      var tr = row([link(c.chargerId, chargerHash(c.chargerId), 'mono'), c.evseId === null ? 'whole charger' : String(c.evseId),
        c.circuitId || 'grid connection', siteAmps(c.maxAmps) + ' × ' + c.phases + ' phase' + (c.phases === 1 ? '' : 's'),
        c.phaseRotation || 'unknown', siteAmps(c.fallbackAmps), String(c.priority),
        scoped('admin', confirmButton('Take off', 'Take ' + siteChargerName(c) + ' off the site?',
          'The site\'s profiles on it are cleared; a running session is no longer limited by the site.', function (b, reset) {
            siteSend('DELETE', sitePath('/chargers/' + enc(c.chargerId) + query), 'Took ' + siteChargerName(c) + ' off the site.', reset);
          }))]);
      tr.setAttribute('data-charger', c.chargerId);
      add(t.tBodies[0], tr);
    });
    add(box, scroller(labelCards(t)));
  }
`;
