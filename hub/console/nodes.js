/*
 * nodes.js: the start page, #/nodes[?zone=Z] (docs/CONSOLE.md, "Nodes").
 * The zone tree from GET /api/zones, each zone with a bar of its counts and
 * how many need attention; villages (and deeper) start collapsed, and a
 * zone's node chips are built only while it is expanded, so 10,000 nodes
 * cost one string of a few hundred zone rows.  "Needs attention" shows only
 * zones and nodes with faults, stale, offline or unknown (few), expanded.
 * Live: a "node" event recolours its chip (if shown) and moves one count in
 * each of the zones above it, in place.  Maintainers start self-tests here.
 * A node's page (admin.js) lists its schedules and routine plays from here.
 */
'use strict';

const NODE_CLASSES = ['ok', 'playing', 'fault', 'stale', 'offline', 'unknown'];
const ATTENTION = new Set(['fault', 'stale', 'offline', 'unknown']);
const LEVELS = {2: 'province', 4: 'city', 6: 'county', 9: 'township', 12: 'village'};

/* A node's class as the hub says it ("class"), or as it would say it. */
function nodeClass(n)
{
	if (n.class)
		return n.class;
	if (n.state === 'unknown' || n.age_s == null)
		return 'unknown';
	if (!n.online)
		return 'offline';
	if (n.stale)
		return 'stale';
	if (n.faults && n.faults.length)
		return 'fault';
	return n.state === 'playing' ? 'playing' : 'ok';
}

function zoneLevel(code)
{
	return LEVELS[code.length] || (code.length > 12 ? 'group' : 'zone');
}

/* The zone codes the hub lists for a node's zone: the county, township and
 * village prefixes and the zone itself. */
function zonePrefixes(zone)
{
	const s = new Set();
	for (const l of [6, 9, 12])
		if (l <= zone.length)
			s.add(zone.slice(0, l));
	s.add(zone);
	return s;
}

/* The zones of a node list, as GET /api/zones gives them (for a hub without
 * that endpoint; the page prefers the hub's). */
function zonesFromNodes(nodes)
{
	const m = new Map();
	for (const n of nodes) {
		const c = nodeClass(n);
		for (const code of zonePrefixes(n.zone)) {
			let z = m.get(code);
			if (!z) {
				z = {zone: code, parent: '', level: zoneLevel(code), nodes: 0, attention: 0};
				for (const k of NODE_CLASSES)
					z[k] = 0;
				m.set(code, z);
			}
			z.nodes++;
			z[c]++;
			if (ATTENTION.has(c))
				z.attention++;
		}
	}
	const codes = Array.from(m.keys()).sort();
	for (const code of codes)
		for (let l = code.length - 1; l > 0; l--)
			if (m.has(code.slice(0, l))) {
				m.get(code).parent = code.slice(0, l);
				break;
			}
	return {total: nodes.length, zones: codes.map((c) => m.get(c))};
}

const NV = {
	el: null,
	gen: 0,
	zones: new Map(),     /* code -> zone (counts kept live), kids: [codes] */
	roots: [],
	nodes: new Map(),     /* id -> node entry (+ _at, _class) */
	byZone: new Map(),    /* zone code -> [node ids] placed directly in it */
	expanded: new Set(),  /* codes the user opened (or closed: collapsed) */
	collapsed: new Set(),
	attention: false,
	sum: {},              /* class -> nodes (kept live) */
	total: 0,
	focus: '',
};

function nvOpen(z)
{
	if (NV.attention)
		return true;
	if (NV.expanded.has(z.zone))
		return true;
	if (NV.collapsed.has(z.zone))
		return false;
	return z.zone.length < 12;
}

function barHtml(z)
{
	let s = '';
	for (const k of NODE_CLASSES)
		if (z[k] > 0)
			s += `<i class="seg k-${k}" data-n="${esc(z[k])}" title="${esc(t('class.' + k))}: ${esc(z[k])}"></i>`;
	return `<span class="bar">${s}</span>`;
}

/* Segment widths: set through the CSSOM (the CSP forbids style attributes). */
function applyBars(root)
{
	for (const seg of root.querySelectorAll('.seg[data-n]'))
		seg.style.flexGrow = seg.dataset.n;
}

function zoneHeadHtml(z, open)
{
	const code = esc(z.zone);
	return `<button type="button" class="ztog" data-testid="zone-toggle-${code}" ` +
	    `aria-expanded="${open}" aria-label="${esc(t(open ? 'tree.collapse' : 'tree.expand'))}">` +
	    `${open ? '▾' : '▸'}</button>` +
	    `<span class="zname">${z.name ? `<b class="zlabel">${esc(z.name)}</b> ` : ''}` +
	    `<b class="zcode">${code}</b> <span class="zlevel">` +
	    `${esc(t('level.' + z.level, null, z.level))}</span></span>` + barHtml(z) +
	    `<span class="zn">${esc(t('nodes.count', {n: z.nodes}))}</span>` +
	    `<span class="zatt${z.attention ? ' on' : ''}">${esc(t('nodes.attention.n', {n: z.attention}))}</span>`;
}

function chipHtml(n)
{
	const c = esc(n._class);
	return `<a class="chip k-${c}" href="#/node/${encodeURIComponent(n.id)}" data-testid="node-${esc(n.id)}" ` +
	    `data-class="${c}" title="${esc(n.id)} · ${esc(t('class.' + c))}` +
	    `${n.faults && n.faults.length ? ' · ' + esc(n.faults.join(', ')) : ''}">` +
	    `<span class="nm">${esc(n.name || n.id)}</span>${ageHtml(n._at, true)}</a>`;
}

function zoneBodyHtml(z)
{
	let s = '';
	const ids = NV.byZone.get(z.zone);
	if (ids) {
		let chips = '';
		for (const id of ids) {
			const n = NV.nodes.get(id);
			if (!NV.attention || ATTENTION.has(n._class))
				chips += chipHtml(n);
		}
		if (chips)
			s += `<div class="chips">${chips}</div>`;
	}
	for (const k of z.kids) {
		const kz = NV.zones.get(k);
		if (!NV.attention || kz.attention > 0)
			s += zoneHtml(kz);
	}
	return s;
}

function zoneHtml(z)
{
	const open = nvOpen(z);
	const code = esc(z.zone);
	return `<div class="zone lv-${esc(z.level)}${open ? ' open' : ''}" data-testid="zone-${code}" ` +
	    `data-zone="${code}" data-nodes="${esc(z.nodes)}" data-attention="${esc(z.attention)}">` +
	    `<div class="zhead">${zoneHeadHtml(z, open)}</div>` +
	    `<div class="zbody">${open ? zoneBodyHtml(z) : ''}</div></div>`;
}

function treeHtml()
{
	let s = '';
	for (const code of NV.roots) {
		const z = NV.zones.get(code);
		if (!NV.attention || z.attention > 0)
			s += zoneHtml(z);
	}
	if (!s)
		s = `<p class="empty">${esc(t(NV.attention ? 'nodes.none.attention' : 'nodes.none'))}</p>`;
	return s;
}

function summaryHtml()
{
	const sum = NV.sum;
	let s = `<span class="sum-total">${esc(t('nodes.total', {n: NV.nodes.size}))}</span>`;
	for (const k of NODE_CLASSES)
		s += `<span class="legend"><i class="sw k-${k}"></i>${esc(t('class.' + k))} <b>${sum[k]}</b></span>`;
	return s;
}

function nvRenderTree()
{
	const tree = $('[data-testid=zone-tree]', NV.el);
	tree.innerHTML = treeHtml();
	applyBars(tree);
	$('.nodes-sum', NV.el).innerHTML = summaryHtml();
}

function nvToggle(zel)
{
	const z = NV.zones.get(zel.dataset.zone);
	if (!z || NV.attention)
		return;
	const open = !nvOpen(z);
	NV.expanded.delete(z.zone);
	NV.collapsed.delete(z.zone);
	(open ? NV.expanded : NV.collapsed).add(z.zone);
	zel.classList.toggle('open', open);
	zel.firstElementChild.innerHTML = zoneHeadHtml(z, open);
	const body = zel.lastElementChild;
	body.innerHTML = open ? zoneBodyHtml(z) : '';
	applyBars(zel);
}

/* Take the hub's answers into NV (nodes sorted by id within their zone). */
function nvLoad(zr, nodes)
{
	const now = Date.now();
	NV.nodes = new Map();
	NV.byZone = new Map();
	NV.sum = {};
	for (const k of NODE_CLASSES)
		NV.sum[k] = 0;
	for (const n of nodes) {
		n._class = nodeClass(n);
		NV.sum[n._class] = (NV.sum[n._class] || 0) + 1;
		n._at = n.age_s == null ? null : now - n.age_s * 1000;
		NV.nodes.set(n.id, n);
		let a = NV.byZone.get(n.zone);
		if (!a)
			NV.byZone.set(n.zone, a = []);
		a.push(n.id);
	}
	for (const a of NV.byZone.values())
		a.sort();
	NV.zones = new Map();
	NV.roots = [];
	for (const z of zr.zones) {
		z.kids = [];
		NV.zones.set(z.zone, z);
	}
	for (const z of zr.zones) {
		const p = z.parent && NV.zones.get(z.parent);
		if (p)
			p.kids.push(z.zone);
		else
			NV.roots.push(z.zone);
	}
	/* a node whose own zone the list leaves out (a level the hub does not
	 * list) sits in its nearest listed zone */
	for (const [code, ids] of Array.from(NV.byZone)) {
		if (NV.zones.has(code))
			continue;
		NV.byZone.delete(code);
		for (let l = code.length - 1; l > 0; l--) {
			const up = code.slice(0, l);
			if (NV.zones.has(up)) {
				NV.byZone.set(up, (NV.byZone.get(up) || []).concat(ids).sort());
				break;
			}
		}
	}
	NV.total = zr.total ?? nodes.length;
}

async function nvFetch(zone)
{
	const q = zone ? '?zone=' + encodeURIComponent(zone) : '';
	const [zr, nodes] = await Promise.all([
		api('/api/zones').catch((e) => {
			if (e instanceof ApiError && e.status === 404)
				return null;
			throw e;
		}),
		api('/api/nodes' + q),
	]);
	let zones = zr || zonesFromNodes(nodes);
	if (zone && zr)
		zones = {total: nodes.length, zones: zr.zones.filter((z) => z.zone.startsWith(zone) ||
		    zone.startsWith(z.zone))};
	return [zones, nodes];
}

/* ---- live ------------------------------------------------------------- */

function nvZoneRefresh(z)
{
	const zel = NV.el.querySelector(`[data-testid="zone-${CSS.escape(z.zone)}"]`);
	if (!zel)
		return;
	zel.dataset.nodes = z.nodes;
	zel.dataset.attention = z.attention;
	zel.firstElementChild.innerHTML = zoneHeadHtml(z, nvOpen(z));
	applyBars(zel.firstElementChild);
}

function nvNodeEvent(n)
{
	const old = NV.nodes.get(n.id);
	if (!old)
		return;
	n._class = nodeClass(n);
	n._at = n.age_s == null ? null : Date.now() - n.age_s * 1000;
	NV.nodes.set(n.id, n);
	const oc = old._class, nc = n._class;
	if (oc !== nc) {
		NV.sum[oc]--;
		NV.sum[nc] = (NV.sum[nc] || 0) + 1;
		for (let l = 1; l <= n.zone.length; l++) {
			const z = NV.zones.get(n.zone.slice(0, l));
			if (!z)
				continue;
			z[oc]--;
			z[nc]++;
			z.attention += (ATTENTION.has(nc) ? 1 : 0) - (ATTENTION.has(oc) ? 1 : 0);
			if (!NV.attention)
				nvZoneRefresh(z);
		}
		$('.nodes-sum', NV.el).innerHTML = summaryHtml();
		if (NV.attention && ATTENTION.has(oc) !== ATTENTION.has(nc)) {
			nvRenderTree();         /* the filtered tree gains or loses it */
			return;
		}
		if (NV.attention)
			for (let l = 1; l <= n.zone.length; l++) {
				const z = NV.zones.get(n.zone.slice(0, l));
				if (z)
					nvZoneRefresh(z);
			}
	}
	const chip = NV.el.querySelector(`[data-testid="node-${CSS.escape(n.id)}"]`);
	if (chip)
		chip.replaceWith(elFrom(chipHtml(n)));
}

/* ---- the view --------------------------------------------------------- */

function selftestFormHtml()
{
	if (!canRole('maintainer'))
		return '';
	return `<form class="card selftest" id="selftest-form">
	  <h2>${esc(t('selftest.title'))}</h2>
	  <div class="row">
	    <input data-testid="selftest-target" name="target" required autocapitalize="none"
	     spellcheck="false" placeholder="${esc(t('selftest.target'))}"
	     aria-label="${esc(t('selftest.target'))}">
	    <label class="check"><input type="checkbox" data-testid="selftest-audible" name="audible">
	     ${esc(t('selftest.audible'))}</label>
	    <button class="btn" data-testid="selftest-start" type="submit">${esc(t('selftest.start'))}</button>
	  </div></form>`;
}

async function selftestStart(target, audible, btn)
{
	btn.disabled = true;
	try {
		const r = await api('/api/selftest', {method: 'POST',
			body: {target, mode: audible ? 'audible' : 'silent'}});
		toast(t('selftest.started', {id: r.id, target}), 'ok');
		location.hash = '#/warning/' + encodeURIComponent(r.id);
	} catch (e) {
		toastErr(e);
	} finally {
		btn.disabled = false;
	}
}

CX.selftestStart = selftestStart;

CX.views.nodes = {
	live: true,
	async render(el, r, gen) {
		NV.el = el;
		NV.gen = gen;
		NV.focus = r.q.get('zone') || '';
		const [zr, nodes] = await nvFetch(NV.focus);
		if (CX.stale(gen))
			return;
		nvLoad(zr, nodes);
		if (NV.focus)
			for (const z of NV.zones.values())
				if (NV.focus.startsWith(z.zone))
					NV.expanded.add(z.zone);
		el.innerHTML = `<div class="nodes-top">
		   <h1>${esc(t(NV.focus ? 'nodes.title.zone' : 'nodes.title', {zone: NV.focus}))}</h1>
		   <label class="check big attention"><input type="checkbox" data-testid="attention-filter"
		     ${NV.attention ? 'checked' : ''}> ${esc(t('nodes.attention'))}</label>
		 </div>
		 <div class="nodes-sum"></div>
		 <div class="zone-tree" data-testid="zone-tree"></div>
		 ${selftestFormHtml()}`;
		nvRenderTree();
		$('[data-testid=attention-filter]', el).addEventListener('change', (ev) => {
			NV.attention = ev.target.checked;
			nvRenderTree();
		});
		$('[data-testid=zone-tree]', el).addEventListener('click', (ev) => {
			const head = ev.target.closest('.zhead');
			if (head)
				nvToggle(head.parentElement);
		});
		const st = $('#selftest-form', el);
		if (st)
			st.addEventListener('submit', (ev) => {
				ev.preventDefault();
				selftestStart(st.elements.target.value.trim(), st.elements.audible.checked,
				    $('[data-testid=selftest-start]', st));
			});
		CX.ready('nodes', gen);
	},
	async refresh() {
		const gen = NV.gen;
		try {
			const [zr, nodes] = await nvFetch(NV.focus);
			if (CX.stale(gen))
				return;
			nvLoad(zr, nodes);
			nvRenderTree();
		} catch (e) {
			toastErr(e);
		}
	},
	onEvent(type, data) {
		if (type === 'node' && data && data.id)
			nvNodeEvent(data);
	},
};

/* ---- a node's routine programmes (its page, admin.js) ------------------ */

/* The class a play's state gives (as a warning's: k-done, k-rejected...). */
function playClass(state)
{
	if (state === 'done' || state === 'rejected' || state === 'playing')
		return state;
	return state === 'received' || state === 'queued' ? 'received' : 'failed';
}

function playStateHtml(state, reason)
{
	return `<span class="kl k-${esc(playClass(state))}">${esc(t('state.' + state, null, state))}</span>` +
	    (reason ? `<small>${esc(reason)}</small>` : '');
}

/* The schedules its signed status says it holds: per programme, when it is
 * next due (the node's local time) and how its last play ended. */
function nodeSchedulesHtml(n)
{
	const list = (n.status && Array.isArray(n.status.schedules)) ? n.status.schedules : [];
	let s = '';
	for (const sc of list) {
		for (const p of sc.programmes || []) {
			const l = p.last;
			s += `<tr data-schedule="${esc(sc.id)}" data-programme="${esc(p.name)}">` +
			    `<td>${esc(sc.id)}<small>${esc(t('node.sched.key', {key: sc.key}))} · ` +
			    `${esc((sc.zones || []).join(' '))} · ${esc(t('node.sched.until', {t: fmtTime(sc.valid_until * 1000)}))}</small></td>` +
			    `<td><b>${esc(p.name)}</b></td>` +
			    `<td data-next="${esc(p.next)}">${esc(p.next ? p.next_local : t('node.sched.nonext'))}</td>` +
			    `<td>${l ? playStateHtml(l.state, l.reason) + `<small>${esc(fmtTime(l.time))}</small>` :
			    esc(t('node.sched.never'))}</td></tr>`;
		}
	}
	return `<table class="list" data-testid="node-schedules"><thead><tr><th>${esc(t('node.sched.schedule'))}</th>` +
	    `<th>${esc(t('node.sched.programme'))}</th><th>${esc(t('node.sched.next'))}</th>` +
	    `<th>${esc(t('node.sched.last'))}</th></tr></thead><tbody>${s}</tbody></table>` +
	    (s ? '' : `<p class="empty">${esc(t('node.sched.none'))}</p>`);
}

/* Its routine plays as the hub stored them, newest first. */
function nodePlaysHtml(n)
{
	let s = '';
	for (const p of n.routine_plays || []) {
		s += `<tr data-ref="${esc(p.ref)}" data-state="${esc(p.state)}">` +
		    `<td>${esc(fmtTime(p.started_ms || p.time_ms))}</td>` +
		    `<td><b>${esc(p.programme)}</b><small>${esc(p.schedule)}</small></td>` +
		    `<td>${playStateHtml(p.state, p.reason)}</td></tr>`;
	}
	return `<table class="list" data-testid="node-plays"><tbody>${s}</tbody></table>` +
	    (s ? '' : `<p class="empty">${esc(t('node.noplays'))}</p>`);
}
