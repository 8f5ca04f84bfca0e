// The console's id tag screen (#/id-tags): the tags the CSMS authorizes, searched by their start
// (GET /id-tags?q=) and filtered by status, a page at a time; create or replace one (PUT: status,
// expiry, group, 2.0.1 type, language), block or unblock it keeping its expiry and group (PATCH),
// delete it after a confirmation, and import many from CSV with the per-row report. Without the
// admin scope only the list shows (the API refuses the rest anyway).

export const ID_TAGS = String.raw`
  var TAG_STATUSES = ['Accepted', 'Blocked', 'Expired', 'Invalid'];
  var TOKEN_TYPES = ['Central', 'eMAID', 'ISO14443', 'ISO15693', 'KeyCode', 'Local', 'MacAddress', 'NoAuthorization'];
  var TAG_PAGE = 50;
  state.idTags = { built: false, list: [], q: '', status: '', paging: newPaging(), form: null, say: null };

  function idTagPath(t) { return '/id-tags/' + enc(t.idTag) + (t.type ? '?type=' + enc(t.type) : ''); }
  function idTagsQuery() {
    var s = state.idTags;
    var q = '/id-tags?limit=' + TAG_PAGE;
    if (s.q) q += '&q=' + enc(s.q);
    if (s.status) q += '&status=' + enc(s.status);
    var cursor = pageCursor(s.paging);
    return cursor ? q + '&cursor=' + enc(cursor) : q;
  }
  function loadIdTags() {
    buildIdTags();
    var query = idTagsQuery();
    return read(query).then(function (r) {
      if (query !== idTagsQuery()) return;
      var s = state.idTags;
      var same = s.shown === query + JSON.stringify(r);
      s.list = r.idTags; s.paging.next = r.nextCursor; s.shown = query + JSON.stringify(r);
      if (!same) renderIdTags(); // unchanged: a confirmation or focus in the list is kept
    });
  }
  /** An ISO time as the value of a datetime-local input (the browser's time zone), and back. */
  function localInput(iso) {
    if (!iso) return '';
    var d = new Date(iso);
    return new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
  }
  function fromLocalInput(value) { return value ? new Date(value).toISOString() : null; }

  function buildIdTags() {
    var s = state.idTags;
    if (s.built) return;
    s.built = true;
    var box = $('id-tags');
    // Search and filter
    var search = h('form', 'filters');
    search.setAttribute('role', 'search'); search.autocomplete = 'off';
    var q = textInput('q', 'search', 'Id tag starting with…');
    q.setAttribute('aria-label', 'Search id tags');
    var status = choice('status', [['', 'any']].concat(TAG_STATUSES.map(function (x) { return [x, x]; })));
    var typing = null;
    var refilter = function () { clearTimeout(typing); s.q = q.value.trim(); s.status = status.value; s.paging = newPaging(); refreshNow(); };
    q.addEventListener('input', function () { clearTimeout(typing); typing = setTimeout(refilter, 300); });
    status.addEventListener('change', refilter);
    search.addEventListener('submit', function (e) { e.preventDefault(); refilter(); });
    add(search, q, labelled('Status', status));

    // Create or replace
    var form = h('form', 'edit id-tag-form');
    form.autocomplete = 'off';
    var f = {
      idTag: textInput('idTag', 'text', 'e.g. 04A1B2C3'),
      type: choice('type', [['', 'any type (1.6 and 2.0.1)']].concat(TOKEN_TYPES.map(function (x) { return [x, x]; }))),
      status: choice('status', TAG_STATUSES.map(function (x) { return [x, x]; })),
      expiryDate: textInput('expiryDate', 'datetime-local'),
      parentIdTag: textInput('parentIdTag', 'text', 'group (parent id tag)'),
      language: textInput('language', 'text', 'e.g. en, nl-BE'),
    };
    f.idTag.required = true; f.idTag.maxLength = 36;
    var say = answerBox();
    var save = h('button', null, 'Save tag');
    save.type = 'submit';
    form.addEventListener('submit', function (e) {
      e.preventDefault();
      var tag = f.idTag.value.trim();
      var body = {
        status: f.status.value,
        expiryDate: fromLocalInput(f.expiryDate.value),
        parentIdTag: f.parentIdTag.value.trim() || null,
        language: f.language.value.trim() || null,
      };
      save.disabled = true;
      call('PUT', idTagPath({ idTag: tag, type: f.type.value }), body).then(function (res) {
        tagAnswer(res.ok ? 'ok' : 'bad', res.ok ? (res.status === 201 ? 'Created ' : 'Saved ') + tag + (f.type.value ? ' (' + f.type.value + ')' : '') : res.status + ' ' + errorText(res));
        if (res.ok) refreshNow();
      }, function (error) { tagAnswer('bad', error.message); }).finally(function () { save.disabled = false; });
    });
    add(form,
      labelled('Id tag', f.idTag), labelled('2.0.1 type', f.type), labelled('Status', f.status), labelled('Expires', f.expiryDate),
      labelled('Group', f.parentIdTag), labelled('Language', f.language),
      add(h('div', 'row-actions'), save, button('Clear', function () { form.reset(); f.idTag.focus(); })));
    s.form = f; s.say = say;

    box.replaceChildren(search,
      h('div', 'id-tag-list'), h('div', 'pager id-tag-pager'),
      scoped('admin', add(h('section', 'admin-box'), h('h3', null, 'Add or change a tag'),
        h('p', 'note', 'Saving replaces the whole entry (a field left empty is cleared). Block and Unblock in the list keep the expiry and group.'),
        form, say.box)),
      scoped('admin', add(h('section', 'admin-box'), h('h3', null, 'Import id tags from CSV'),
        importForm('/id-tags/import', 'idTag, status (Accepted, Blocked, Expired or Invalid), expiryDate, parentIdTag, type, language',
          'idTag,status,expiryDate\n04A1B2C3,Accepted,2030-01-01T00:00:00Z', refreshNow))));
  }
  function tagAnswer(kind, text) { state.idTags.say(kind, text); }
  /** Fills the form with a listed entry, to change it. */
  function editIdTag(t) {
    var f = state.idTags.form;
    f.idTag.value = t.idTag; f.type.value = t.type || ''; f.status.value = t.status;
    f.expiryDate.value = localInput(t.expiryDate); f.parentIdTag.value = t.parentIdTag || ''; f.language.value = t.language || '';
    f.idTag.focus();
  }
  function patchIdTag(t, status, b) {
    b.disabled = true;
    call('PATCH', idTagPath(t), { status: status }).then(function (res) {
      tagAnswer(res.ok ? 'ok' : 'bad', res.ok ? t.idTag + ' is ' + res.json.idTag.status + (res.json.idTag.expiryDate ? ', still expiring ' + time(res.json.idTag.expiryDate) : '') : res.status + ' ' + errorText(res));
      refreshNow();
    }, function (error) { b.disabled = false; tagAnswer('bad', error.message); });
  }
  function deleteIdTag(t) {
    call('DELETE', idTagPath(t)).then(function (res) {
      tagAnswer(res.ok ? 'ok' : 'bad', res.ok ? 'Deleted ' + t.idTag + (t.type ? ' (' + t.type + ')' : '') : res.status + ' ' + errorText(res));
      refreshNow();
    }, function (error) { tagAnswer('bad', error.message); });
  }
  function renderIdTags() {
    var s = state.idTags;
    var box = $('id-tags').querySelector('.id-tag-list');
    box.replaceChildren();
    if (s.list.length === 0) {
      add(box, h('p', 'note', s.q || s.status ? 'No id tag matches.' : 'No id tag yet.'));
    } else {
      var admin = mayAdmin();
      var t = table(['Id tag', 'Type', 'Status', 'Expires', 'Group', 'Language', 'Updated'].concat(admin ? ['Actions'] : []), 'id-tags cards');
      s.list.forEach(function (x) {
        var cells = [h('span', 'mono', x.idTag), x.type || 'any', h('span', 'tag-status s-' + x.status.toLowerCase(), x.status),
          x.expiryDate ? time(x.expiryDate) : 'never', h('span', 'mono', orDash(x.parentIdTag)), orDash(x.language), time(x.updatedAt)];
        if (admin) {
          cells.push(add(h('span', 'row-actions'),
            button('Edit', function () { editIdTag(x); }),
            x.status === 'Blocked' ? button('Unblock', function (b) { patchIdTag(x, 'Accepted', b); }) : button('Block', function (b) { patchIdTag(x, 'Blocked', b); }),
            confirmButton('Delete', 'Delete ' + x.idTag + (x.type ? ' (' + x.type + ')' : '') + '?',
              'Chargers will no longer be told it is accepted; a local list keeps it until the next update.', function () { deleteIdTag(x); })));
        }
        var tr = row(cells);
        tr.setAttribute('data-id-tag', x.idTag);
        add(t.tBodies[0], tr);
      });
      add(box, scroller(labelCards(t)));
    }
    renderPager($('id-tags').querySelector('.id-tag-pager'), s.paging, s.list.length, refreshNow);
  }
`;
