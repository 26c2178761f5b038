// Speech SLO Advisor console: draws the blocks a view's JSON describes, and follows new data.
// The server decides what a view shows and formats every number; this script only draws.
(function () {
  'use strict';

  var COLORS = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#4d7c0f', '#be185d'];
  var data = JSON.parse(document.getElementById('data').textContent);
  var lastJson = null;
  var charts = [];

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) {
        if (attrs[k] !== null && attrs[k] !== undefined && attrs[k] !== '') { e.setAttribute(k, attrs[k]); }
      });
    }
    if (text !== undefined && text !== null) { e.textContent = text; }
    return e;
  }

  function query() {
    var p = new URLSearchParams(window.location.search);
    return p;
  }

  function withQuery(href) {
    var keep = new URLSearchParams();
    var q = query();
    ['service', 'range', 'end'].forEach(function (k) { if (q.get(k)) { keep.set(k, q.get(k)); } });
    var s = keep.toString();
    return s ? href + '?' + s : href;
  }

  function select(name, label, options, value, allLabel) {
    var wrap = el('label', null, label + ' ');
    var s = el('select', {name: name, id: 'filter-' + name});
    if (allLabel) { s.appendChild(el('option', {value: ''}, allLabel)); }
    options.forEach(function (o) {
      var opt = el('option', {value: o}, o);
      if (o === value) { opt.selected = true; }
      s.appendChild(opt);
    });
    s.addEventListener('change', function () { s.form.submit(); });
    wrap.appendChild(s);
    return wrap;
  }

  function filters(d) {
    var f = document.getElementById('filters');
    f.innerHTML = '';
    if (!d.services) { return; }
    var q = query();
    if (d.view === 'rollout') {
      f.appendChild(el('a', {href: '/executive?service=' + encodeURIComponent(d.service)}, '← ' + d.service));
    } else {
      f.appendChild(select('service', 'Service', d.services, d.service));
      f.appendChild(select('version', 'Model version', d.versions, d.version, 'all versions'));
      if (d.dims && d.dims.length) { f.appendChild(select('dim', 'Slice by', d.dims, d.dim)); }
    }
    var ranges = ['15m', '1h', '3h', '6h', '12h', '1d'];
    var current = q.get('range') || '6h';
    if (ranges.indexOf(current) < 0) { ranges.push(current); }
    f.appendChild(select('range', 'Range', ranges, current));
    var endWrap = el('label', null, 'Ending ');
    endWrap.appendChild(el('input', {name: 'end', id: 'filter-end', value: q.get('end') || '', placeholder: 'newest data (ISO instant)', size: 24}));
    f.appendChild(endWrap);
    f.appendChild(el('button', {type: 'submit'}, 'Apply'));
    document.querySelectorAll('header nav a').forEach(function (a) {
      a.href = withQuery('/' + a.getAttribute('data-view'));
    });
  }

  function cell(td, c) {
    if (!c) { td.textContent = ''; return; }
    if (c.href) { td.appendChild(el('a', {href: c.href}, c.t)); } else { td.textContent = c.t; }
    if (c.c) { td.className = c.c; }
  }

  function table(b) {
    var box = el('section', {'class': 'block table-block', id: b.id});
    box.appendChild(el('h2', null, b.title));
    if (!b.rows.length) {
      box.appendChild(el('p', {'class': 'empty'}, b.empty || 'Nothing in this range.'));
      return box;
    }
    var t = el('table');
    var tr = el('tr');
    b.columns.forEach(function (c) { tr.appendChild(el('th', {'data-col': c.id}, c.label)); });
    t.appendChild(el('thead')).appendChild(tr);
    var body = el('tbody');
    b.rows.forEach(function (r) {
      var row = el('tr', {'data-row': r.key});
      b.columns.forEach(function (c) {
        var td = el('td', {'data-col': c.id});
        cell(td, r.cells[c.id]);
        row.appendChild(td);
      });
      body.appendChild(row);
    });
    t.appendChild(body);
    box.appendChild(t);
    return box;
  }

  function figures(b) {
    var box = el('section', {'class': 'block figures', id: b.id});
    box.appendChild(el('h2', null, b.title));
    var row = el('div', {'class': 'figure-row'});
    b.items.forEach(function (i) {
      var f = el('div', {'class': 'figure ' + (i.cls || ''), 'data-figure': i.id});
      f.appendChild(el('div', {'class': 'label'}, i.label));
      f.appendChild(el('div', {'class': 'value'}, i.value));
      if (i.detail) { f.appendChild(el('div', {'class': 'detail'}, i.detail)); }
      row.appendChild(f);
    });
    box.appendChild(row);
    return box;
  }

  function chart(b) {
    var box = el('section', {'class': 'block chart-block', id: b.id});
    box.appendChild(el('h2', null, b.title));
    if (!b.x || !b.x.length) {
      box.appendChild(el('p', {'class': 'empty'}, 'No data in this range.'));
      return box;
    }
    var holder = el('div', {'class': 'chart'});
    box.appendChild(holder);
    var series = [{}];
    var rows = [b.x];
    b.series.forEach(function (s, i) {
      series.push({label: s.label, stroke: s.dash ? '#6b7280' : COLORS[i % COLORS.length], width: s.dash ? 1 : 2,
        dash: s.dash ? [6, 4] : undefined, spanGaps: true, points: {show: b.x.length < 3},
        paths: b.stepped ? uPlot.paths.stepped({align: 1}) : undefined});
      rows.push(s.y);
    });
    charts.push(function (width) {
      return new uPlot({width: width, height: 220, series: series, scales: {x: {time: true}},
        axes: [{}, {label: b.unit, size: 70, values: function (u, vals) {
          return vals.map(function (v) { return v === null ? '' : String(+v.toPrecision(4)); });
        }}], legend: {live: false}}, rows, holder);
    });
    return box;
  }

  function heatmap(b) {
    var box = el('section', {'class': 'block heatmap-block', id: b.id});
    box.appendChild(el('h2', null, b.title));
    box.appendChild(el('p', {'class': 'legend'}, b.legend));
    if (!b.rows.length) {
      box.appendChild(el('p', {'class': 'empty'}, 'No two-dimension slices in this range.'));
      return box;
    }
    var t = el('table', {'class': 'heatmap'});
    var head = el('tr');
    head.appendChild(el('th'));
    b.cols.forEach(function (c) { head.appendChild(el('th', null, c)); });
    t.appendChild(head);
    b.rows.forEach(function (r, i) {
      var tr = el('tr', {'data-row': r});
      tr.appendChild(el('th', null, r));
      b.cells[i].forEach(function (c, j) {
        var td = el('td', {'data-col': b.cols[j]}, c.t);
        if (c.v !== null && c.v !== undefined) {
          var a = Math.min(1, Math.abs(c.v) / 0.3);
          td.style.background = c.v > 0 ? 'rgba(220,38,38,' + (0.1 + 0.8 * a) + ')' : 'rgba(37,99,235,' + (0.1 + 0.8 * a) + ')';
          td.title = 'n = ' + c.n;
        }
        tr.appendChild(td);
      });
      t.appendChild(tr);
    });
    box.appendChild(t);
    return box;
  }

  function status(s) {
    var bar = document.getElementById('status');
    if (!s) { return; }
    if (s.ok) {
      bar.hidden = true;
      bar.textContent = '';
    } else {
      bar.hidden = false;
      bar.textContent = s.message;
    }
    var u = document.getElementById('updated');
    u.textContent = (s.latest ? 'Data up to ' + s.latest.replace('T', ' ') : 'No data yet') + ' · ' + s.scorecards
      + ' scorecards, ' + s.advisories + ' advisories read' + (s.skipped ? ' · ' + s.skipped + ' unreadable records skipped' : '')
      + ' · following live';
  }

  function render(d) {
    document.getElementById('title').textContent = d.title;
    filters(d);
    var content = document.getElementById('content');
    content.innerHTML = '';
    charts = [];
    var grid = el('div', {'class': 'grid'});
    d.blocks.forEach(function (b) {
      var node;
      if (b.type === 'table') { node = table(b); }
      else if (b.type === 'figures') { node = figures(b); }
      else if (b.type === 'chart') { node = chart(b); }
      else if (b.type === 'heatmap') { node = heatmap(b); }
      else if (b.type === 'note') { node = el('p', {'class': 'note ' + (b.cls || ''), id: b.id}, b.text); }
      if (!node) { return; }
      if (b.type === 'chart') {
        if (!grid.parentNode) { content.appendChild(grid); } // the charts sit together where the first one is
        grid.appendChild(node);
      } else {
        content.appendChild(node);
      }
    });
    var width = Math.max(320, Math.floor((content.clientWidth || 1100) / 2) - 40);
    charts.forEach(function (make) { make(width); });
    status(d.status);
  }

  function refresh() {
    fetch('/api' + window.location.pathname + window.location.search, {cache: 'no-store'})
      .then(function (r) { return r.json().then(function (j) { return {ok: r.ok, body: j}; }); })
      .then(function (r) {
        if (!r.ok) {
          var bar = document.getElementById('status');
          bar.hidden = false;
          bar.textContent = r.body.error;
          return;
        }
        var j = JSON.stringify(r.body.blocks);
        if (j !== lastJson) {
          lastJson = j;
          render(r.body);
        } else {
          status(r.body.status);
        }
      })
      .catch(function () {
        var bar = document.getElementById('status');
        bar.hidden = false;
        bar.textContent = 'The console server cannot be reached; retrying.';
      });
  }

  lastJson = JSON.stringify(data.blocks);
  render(data);
  setInterval(refresh, window.CONSOLE_REFRESH_MS || 5000);
}());
