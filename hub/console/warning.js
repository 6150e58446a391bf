/*
 * warning.js: the warnings list (#/warnings) and a warning's roll-call
 * (#/warning/ID), docs/CONSOLE.md "Roll-call" and "Warnings".  The roll-call's
 * rows are one list with a section per class, worst first; a
 * "rollcall" event patches the rows it names in place (a Map from node to
 * row) and moves a row only between sections, into its place by node id, so
 * a receipt costs one row, not 10,000.  Every list marks drills (演练) and
 * tests (测试) with their badge; an actual warning is red.
 */
'use strict';

/* Rows in this order (as the hub sends them): the ones needing attention first. */
const RC_CLASSES = ['failed', 'rejected', 'silent', 'offline', 'pending', 'received',
	'playing', 'cancelled', 'superseded', 'done', 'other'];
const RC_COUNTS = ['expected', 'done', 'failed', 'rejected', 'cancelled', 'superseded', 'silent',
	'offline', 'pending', 'received', 'playing', 'acknowledged', 'unverified', 'other'];
const RC_BAD = new Set(['failed', 'rejected', 'silent', 'offline']);

/* What a warning is called in lists: its title, or for a cancel "Cancel of REF". */
function warningName(w)
{
	if (w.title)
		return w.title;
	if (w.type === 'cancel' && w.ref)
		return t('warnings.cancelof', {ref: w.ref});
	if (w.kind === 'selftest')
		return t('type.selftest') + ' · ' + (w.zones || w.target_zones || []).join(' ');
	return w.id;
}

function typeText(w)
{
	if (w.kind === 'selftest')
		return t('type.selftest');
	return t('type.' + (w.type || 'alert'), null, w.type);
}

/* A list entry's counts in one short line: "2/3 done · 1 failed". */
function countsLine(c)
{
	if (!c)
		return '—';
	let s = t('counts.done', {n: c.done, of: c.expected});
	for (const k of ['failed', 'rejected', 'cancelled', 'superseded', 'silent', 'offline', 'pending'])
		if (c[k] > 0)
			s += ' · ' + t('counts.' + k, {n: c[k]});
	if (c.acknowledged > 0)
		s += ' · ' + t('counts.acknowledged', {n: c.acknowledged});
	return s;
}

/* ---- the list --------------------------------------------------------- */

function wlRowHtml(w)
{
	const id = esc(w.id);
	const v = w.verdict || 'none';
	const when = w.sent ? w.sent * 1000 : w.first_seen_ms;
	return `<tr class="st-${esc(w.status)}" data-testid="warning-${id}" data-status="${esc(w.status)}" ` +
	    `data-verdict="${esc(v)}" data-id="${id}">` +
	    `<td class="c-when">${esc(fmtTime(when))}<small>${ageHtml(when)}</small></td>` +
	    `<td class="c-badge">${badgeHtml(w.status)}</td>` +
	    `<td class="c-title"><a href="#/warning/${encodeURIComponent(w.id)}">` +
	    `${esc(warningName(w))}</a><small>${esc(typeText(w))} · ${esc(w.id)}</small></td>` +
	    `<td class="c-zones">${esc((w.zones || []).join(' '))}</td>` +
	    `<td class="c-verdict">${verdictHtml(v)}</td>` +
	    `<td class="c-counts">${esc(countsLine(w.counts))}</td></tr>`;
}

const WL = {rows: new Map(), tbody: null};

CX.views.warnings = {
	live: true,
	async render(el, r, gen) {
		const list = await api('/api/warnings?limit=200');
		if (CX.stale(gen))
			return;
		let rows = '';
		for (const w of list)
			rows += wlRowHtml(w);
		el.innerHTML = `<h1>${esc(t('warnings.title'))}</h1>
		  <table class="list warnings" data-testid="warnings-list">
		   <thead><tr><th>${esc(t('col.sent'))}</th><th>${esc(t('col.status'))}</th>
		    <th>${esc(t('col.title'))}</th><th>${esc(t('col.zones'))}</th>
		    <th>${esc(t('col.verdict'))}</th><th>${esc(t('col.counts'))}</th></tr></thead>
		   <tbody>${rows}</tbody></table>
		  ${list.length ? '' : `<p class="empty">${esc(t('warnings.none'))}</p>`}
		  <p><a href="#/audit">${esc(t('warnings.audit'))}</a></p>`;
		WL.tbody = $('tbody', el);
		WL.rows = new Map();
		for (const tr of WL.tbody.children)
			WL.rows.set(tr.dataset.id, tr);
		CX.ready('warnings', gen);
	},
	onEvent(type, d) {
		if (type === 'warning' && d.id && !WL.rows.has(d.id)) {
			const tr = elFrom(wlRowHtml(d), 'tbody');
			WL.tbody.prepend(tr);
			WL.rows.set(d.id, tr);
			const empty = $('.view .empty');
			if (empty)
				empty.remove();
		} else if (type === 'rollcall' && WL.rows.has(d.id)) {
			const tr = WL.rows.get(d.id);
			tr.dataset.verdict = d.verdict;
			$('.c-verdict', tr).innerHTML = verdictHtml(d.verdict);
			$('.c-counts', tr).textContent = countsLine(d.counts);
		}
	},
};

/* ---- the roll-call ---------------------------------------------------- */

const RC = {id: '', w: null, el: null, model: new Map(), rows: new Map(), sections: new Map()};

/* A row's key: a node can have a verified row and an unverified one (a
 * forged receipt naming it), which must not take each other's place. */
function rcKey(n)
{
	return n.verified === false ? n.node + ' unverified' : n.node;
}

function rcRowHtml(n)
{
	const node = esc(n.node);
	const key = esc(rcKey(n));
	const tid = n.verified === false ? `rc-row-${node}-unverified` : `rc-row-${node}`;
	const ack = n.acknowledged ? 1 : 0;
	let reason = n.reason || '';
	if (n.verified === false)
		reason = t('rc.unverified', {why: n.problem || ''});
	return `<div class="rc-row k-${esc(n.class)}" data-testid="${tid}" data-node="${key}" ` +
	    `data-class="${esc(n.class)}" data-ack="${ack}">` +
	    `<span class="c-node"><a href="#/node/${encodeURIComponent(n.node)}">${node}</a>` +
	    `<small>${esc(n.zone)}</small></span>` +
	    `<span class="c-class"><span class="kl k-${esc(n.class)}">${esc(t('rc.class.' + n.class, null, n.class))}</span></span>` +
	    `<span class="c-state">${esc(n.state ? t('state.' + n.state, null, n.state) : '—')}` +
	    `${n.offline_at_send ? `<small>${esc(t('rc.offline_at_send'))}</small>` : ''}</span>` +
	    `<span class="c-ack">${ack ? `<span class="ack" title="${esc(fmtTime(n.ack_time_ms))}">` +
	    `✋ ${esc(t('rc.ack', {by: n.ack_by || ''}))}</span>` : ''}</span>` +
	    `<span class="c-reason">${esc(reason)}</span>` +
	    `<span class="c-when">${esc(fmtTime(n.time_ms))}</span></div>`;
}

function rcSectionsHtml(nodes)
{
	const by = {};
	for (const k of RC_CLASSES)
		by[k] = '';
	const extra = [];
	for (const n of nodes) {
		if (by[n.class] === undefined) {
			extra.push(n);
			continue;
		}
		by[n.class] += rcRowHtml(n);
	}
	for (const n of extra)
		by.other += rcRowHtml(n);
	let s = '';
	for (const k of RC_CLASSES)
		s += `<div class="sec k-${k}${by[k] ? '' : ' empty'}" data-sec="${k}">` +
		    `<div class="sechead">${esc(t('rc.class.' + k))}</div>${by[k]}</div>`;
	return s;
}

function rcCountsHtml(c)
{
	let s = '';
	for (const k of RC_COUNTS) {
		const n = c ? c[k] ?? 0 : 0;
		s += `<div class="cnt k-${k}${n && RC_BAD.has(k) ? ' bad' : ''}"><b data-testid="count-${k}">${esc(n)}</b>` +
		    `<span>${esc(t('count.' + k))}</span></div>`;
	}
	return s;
}

function rcZonesHtml(zones)
{
	let s = '';
	for (const z of zones || []) {
		const c = z.counts || {};
		s += `<tr><td><a href="#/nodes?zone=${encodeURIComponent(z.zone)}">${esc(z.zone)}</a></td>` +
		    `<td>${verdictHtml(z.verdict)}</td><td>${esc(countsLine(c))}</td></tr>`;
	}
	return s;
}

function reportLinks(id)
{
	const base = '/api/warnings/' + encodeURIComponent(id) + '/report?at=';
	let s = '';
	for (const at of ['T+2', 'T+10']) {
		const q = base + encodeURIComponent(at);
		s += `<span class="report">${esc(at)}: ` +
		    `<a data-testid="report-${at}" href="${esc(q)}&amp;format=json" download="${esc(id)}-${at}.signed">` +
		    `${esc(t('report.json'))}</a> · <a href="${esc(q)}&amp;format=csv" download="${esc(id)}-${at}.csv">CSV</a> · ` +
		    `<a href="${esc(q)}&amp;format=text" download="${esc(id)}-${at}.txt">${esc(t('report.text'))}</a></span>`;
	}
	return s;
}

function rcActionsHtml(w)
{
	if (!canRole('operator') || w.kind === 'selftest' || w.type === 'cancel' || !w.status)
		return '';
	const ref = encodeURIComponent(w.id);
	return `<div class="actions">
	  <a class="btn" data-testid="warning-update" href="#/send?type=update&amp;ref=${ref}">${esc(t('rc.update'))}</a>
	  <a class="btn danger" data-testid="warning-cancel" href="#/send?type=cancel&amp;ref=${ref}">${esc(t('rc.cancel'))}</a>
	</div>`;
}

function rcHeadHtml(w)
{
	const zones = w.target_zones || [];
	const when = w.sent ? w.sent * 1000 : w.first_seen_ms;
	const status = w.status || 'unknown';
	return `<div class="rc-banner st-${esc(status)}">${badgeHtml(status, 'badge')}
	    <span class="rc-type">${esc(typeText(w))}</span>
	    ${status !== 'actual' && w.status ? `<span class="rc-notreal">${esc(t('rc.notreal.' + status))}</span>` : ''}</div>
	  <h1>${esc(warningName(w))}</h1>
	  <dl class="facts">
	    <dt>${esc(t('col.id'))}</dt><dd>${esc(w.id)}</dd>
	    ${w.sent || w.first_seen_ms ? `<dt>${esc(t('col.sent'))}</dt><dd>${esc(fmtTime(when))} (${ageHtml(when)})</dd>` : ''}
	    ${w.sender ? `<dt>${esc(t('col.sender'))}</dt><dd>${esc(w.sender)}</dd>` : ''}
	    ${zones.length ? `<dt>${esc(t('col.zones'))}</dt><dd>${esc(zones.join(' '))}</dd>` : ''}
	    ${w.ref ? `<dt>${esc(t('col.ref'))}</dt><dd><a href="#/warning/${encodeURIComponent(w.ref)}">${esc(w.ref)}</a></dd>` : ''}
	  </dl>`;
}

function rcStateHtml(w)
{
	return `${verdictHtml(w.verdict)} <span class="rc-complete">` +
	    `${esc(t(w.complete ? 'rc.complete' : w.deadline_passed ? 'rc.deadline' : 'rc.following'))}</span>`;
}

/* The rows: one section per class, in RC_CLASSES order.  Divs, not a table:
 * a row off screen is not laid out (content-visibility), so 10,000 rows
 * show at once. */
function rcRowsRender()
{
	const box = $('.rc-secs', RC.el);
	box.innerHTML = rcSectionsHtml(RC.w.nodes || []);
	RC.rows = new Map();
	RC.sections = new Map();
	for (const sec of box.children) {
		RC.sections.set(sec.dataset.sec, sec);
		for (const tr of sec.children)
			if (tr.dataset.node)
				RC.rows.set(tr.dataset.node, tr);
	}
}

function rcRender(el, w)
{
	el.innerHTML = `<section class="rollcall st-${esc(w.status || 'unknown')}" data-testid="rollcall"
	   data-id="${esc(w.id)}" data-verdict="${esc(w.verdict)}" data-status="${esc(w.status || '')}">
	  ${rcHeadHtml(w)}
	  <div class="rc-state">${rcStateHtml(w)}</div>
	  <div class="counts">${rcCountsHtml(w.counts)}</div>
	  ${rcActionsHtml(w)}
	  <h2>${esc(t('rc.zones'))}</h2>
	  <table class="list rc-zones"><tbody>${rcZonesHtml(w.zones)}</tbody></table>
	  <h2>${esc(t('rc.nodes'))}</h2>
	  <div class="rc-rows"><div class="rc-row rc-cols"><span>${esc(t('col.node'))}</span>
	    <span>${esc(t('col.class'))}</span><span>${esc(t('col.state'))}</span><span>${esc(t('col.ack'))}</span>
	    <span>${esc(t('col.reason'))}</span><span>${esc(t('col.time'))}</span></div><div class="rc-secs"></div></div>
	  <h2>${esc(t('rc.reports'))}</h2><p class="reports">${reportLinks(w.id)}</p>
	</section>`;
	RC.el = $('[data-testid=rollcall]', el);
	RC.w = w;
	RC.model = new Map();
	for (const n of w.nodes || [])
		RC.model.set(rcKey(n), n);
	rcRowsRender();
}

/* Put tr into its class's section, in node-id order (binary search over the
 * section's rows; no layout is read). */
function rcPlace(tr, cls)
{
	const sec = RC.sections.get(cls) || RC.sections.get('other');
	const kids = sec.children;            /* [0] is the section's heading */
	const id = tr.dataset.node;
	let lo = 1, hi = kids.length;
	while (lo < hi) {
		const mid = (lo + hi) >> 1;
		if (kids[mid].dataset.node < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	sec.insertBefore(tr, kids[lo] || null);
	sec.classList.remove('empty');
}

/* Rows changed: each replaced in place or moved to its new class's section.
 * The new rows are parsed together, in one string. */
function rcPatchRows(rows)
{
	const box = document.createElement('div');
	box.innerHTML = rows.map(rcRowHtml).join('');
	const fresh = Array.from(box.children);
	const touched = new Set();
	for (let i = 0; i < rows.length; i++) {
		const n = rows[i], tr = fresh[i];
		const old = RC.rows.get(rcKey(n));
		if (old && old.dataset.class === n.class) {
			old.replaceWith(tr);
		} else {
			if (old) {
				touched.add(old.parentElement);
				old.remove();
			}
			rcPlace(tr, n.class);
		}
		RC.rows.set(rcKey(n), tr);
	}
	for (const sec of touched)
		sec.classList.toggle('empty', sec.children.length < 2);
}

/* Many rows at once (10,000 nodes answering within seconds): the whole
 * table is built again from the model in one string; a few rows are
 * patched where they are. */
const RC_REBUILD_ROWS = 300;

function rcPatch(d)
{
	const el = RC.el;
	el.dataset.verdict = d.verdict;
	for (const k of ['verdict', 'complete', 'deadline_passed', 'counts'])
		if (k in d)
			RC.w[k] = d[k];
	$('.rc-state', el).innerHTML = rcStateHtml(RC.w);
	for (const k of RC_COUNTS) {
		const b = $(`[data-testid="count-${k}"]`, el);
		const n = d.counts ? d.counts[k] ?? 0 : 0;
		if (b.textContent !== String(n)) {
			b.textContent = n;
			b.parentElement.classList.toggle('bad', n > 0 && RC_BAD.has(k));
		}
	}
	if (d.zones)
		$('.rc-zones tbody', el).innerHTML = rcZonesHtml(d.zones);
	const rows = (d.rows || []).filter((n) => n && n.node);
	for (const n of rows)
		RC.model.set(rcKey(n), n);
	if (rows.length > RC_REBUILD_ROWS) {
		RC.w.nodes = Array.from(RC.model.values()).sort((x, y) =>
		    (RC_CLASSES.indexOf(x.class) - RC_CLASSES.indexOf(y.class)) ||
		    (x.node < y.node ? -1 : x.node > y.node ? 1 : 0));
		rcRowsRender();
	} else if (rows.length) {
		rcPatchRows(rows);
	}
}

CX.views.warning = {
	live: true,
	async render(el, r, gen) {
		const w = await api('/api/warnings/' + encodeURIComponent(r.arg));
		if (CX.stale(gen))
			return;
		RC.id = w.id;
		rcRender(el, w);
		CX.ready('warning', gen);
	},
	async refresh() {
		const gen = CX.gen;
		try {
			const w = await api('/api/warnings/' + encodeURIComponent(RC.id));
			if (!CX.stale(gen))
				rcRender($('#view'), w);
		} catch (e) {
			toastErr(e);
		}
	},
	onEvent(type, d) {
		if (type === 'rollcall' && d.id === RC.id && RC.el)
			rcPatch(d);
	},
};
