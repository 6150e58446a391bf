/*
 * admin.js: the node page (#/node/ID), the audit log (#/audit) and the
 * accounts (#/accounts, admin), docs/CONSOLE.md "The page".  The node page
 * shows the last status with its age, faults with when they began and
 * cleared, the heartbeat intervals, the self-tests check by check and the
 * warnings the node answered with the receipt it signed as evidence.
 */
'use strict';

/* ---- the node page ---------------------------------------------------- */

function kvHtml(rows)
{
	return rows.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${v}</dd>`).join('');
}

function statusFieldsHtml(n)
{
	const at = n.age_s == null ? null : Date.now() - n.age_s * 1000;
	const c = nodeClass(n);
	const rows = [
		[t('node.class'), `<span class="kl k-${esc(c)}">${esc(t('class.' + c))}</span>`],
		[t('col.zone'), `<a href="#/nodes?zone=${encodeURIComponent(n.zone)}">${esc(n.zone)}</a>`],
		[t('node.name'), esc(n.name || '—')],
		[t('node.location'), esc(n.location || '—')],
		[t('node.online'), esc(t(n.online ? 'yes' : 'no')) + (n.since_ms ?
		    ` <small>${esc(t('node.since', {t: fmtTime(n.since_ms)}))} (${ageHtml(n.since_ms)})</small>` : '')],
		[t('col.state'), esc(t('state.' + n.state, null, n.state))],
		[t('node.heartbeat'), `${ageHtml(at)} <small>${esc(fmtTime(n.last_status_ms))}` +
		    ` · ${esc(t('node.every', {n: n.heartbeat_s}))}</small>` +
		    (n.stale ? ` <span class="warn">${esc(t('node.stale'))}</span>` : '')],
		[t('node.faults'), n.faults && n.faults.length ?
		    n.faults.map((f) => `<span class="kl k-fault">${esc(f)}</span>`).join(' ') : esc(t('none'))],
	];
	if (n.last_selftest)
		rows.push([t('node.lastselftest'), `${esc(t(n.last_selftest.ok ? 'ok' : 'failed'))} · ` +
		    `${esc(fmtTime(n.last_selftest.time_ms))} (${ageHtml(n.last_selftest.time_ms)})`]);
	const st = n.status && typeof n.status === 'object' ? n.status : null;
	if (st)
		for (const [k, v] of Object.entries(st)) {
			if (['v', 'kind', 'node', 'zone', 'faults', 'online', 'state'].includes(k))
				continue;
			let text;
			if (Array.isArray(v))
				text = v.length ? v.map((x) => (typeof x === 'object' ? JSON.stringify(x) : x)).join(', ') : '—';
			else if (v !== null && typeof v === 'object')
				text = JSON.stringify(v);
			else if (typeof v === 'number' && (k === 'time' || k.endsWith('_ms')) && v > 1e12)
				text = fmtTime(v);
			else
				text = String(v ?? '—');
			rows.push([k, `<span class="${n.stale ? 'stale-val' : ''}">${esc(text)}</span>`]);
		}
	return `<dl class="facts" data-testid="node-status">${kvHtml(rows)}</dl>`;
}

function faultsHtml(n)
{
	let list = n.faults_history;
	if (!Array.isArray(list)) {        /* a hub before faults_history: the events */
		list = [];
		const open = new Map();
		for (const e of (n.events || []).slice().reverse()) {
			if (e.kind === 'fault') {
				const f = {fault: e.detail, began_ms: e.time_ms, cleared_ms: null};
				open.set(e.detail, f);
				list.unshift(f);
			} else if (e.kind === 'cleared' && open.has(e.detail)) {
				open.get(e.detail).cleared_ms = e.time_ms;
				open.delete(e.detail);
			}
		}
	}
	let s = '';
	for (const f of list) {
		const cleared = f.cleared_ms != null && f.cleared_ms > 0;
		s += `<tr class="${cleared ? 'cleared' : 'open'}" data-fault="${esc(f.fault)}" data-cleared="${cleared ? 1 : 0}">` +
		    `<td><span class="kl ${cleared ? '' : 'k-fault'}">${esc(f.fault)}</span></td>` +
		    `<td>${esc(fmtTime(f.began_ms))}</td>` +
		    `<td>${cleared ? esc(fmtTime(f.cleared_ms)) : `<b>${esc(t('node.fault.lasts'))}</b> ${ageHtml(f.began_ms)}`}</td></tr>`;
	}
	return `<table class="list" data-testid="node-faults"><thead><tr><th>${esc(t('node.fault'))}</th>` +
	    `<th>${esc(t('node.began'))}</th><th>${esc(t('node.cleared'))}</th></tr></thead><tbody>${s}</tbody></table>` +
	    (list.length ? '' : `<p class="empty">${esc(t('node.nofaults'))}</p>`);
}

function heartbeatsHtml(n)
{
	const hb = Array.isArray(n.heartbeats) ? n.heartbeats : [];
	const late = (n.heartbeat_s || 60) * 1500;
	let s = '';
	for (let i = 0; i < hb.length; i++) {
		const gap = i + 1 < hb.length ? hb[i] - hb[i + 1] : null;
		s += `<li class="${gap != null && gap > late ? 'late' : ''}"><span>${esc(fmtTime(hb[i]))}</span>` +
		    `<b>${gap == null ? '' : esc(t('node.gap', {s: (gap / 1000).toFixed(1)}))}</b></li>`;
	}
	return `<ol class="heartbeats" data-testid="node-heartbeats">${s}</ol>` +
	    (hb.length ? '' : `<p class="empty">${esc(t('node.noheartbeats'))}</p>`);
}

function selftestsHtml(n)
{
	let s = '';
	for (const r of n.selftests || []) {
		let checks = '';
		for (const c of r.checks || [])
			checks += `<span class="chk ${c.ok ? 'ok' : 'bad'}" data-check="${esc(c.name)}" data-ok="${c.ok ? 1 : 0}" ` +
			    `title="${esc(c.value || '')}"><b>${esc(c.name)}</b> ${esc(c.value || '')}` +
			    `${c.ms != null ? ` <small>${esc(c.ms)} ms</small>` : ''}</span>`;
		s += `<tr data-ref="${esc(r.ref)}" data-ok="${r.ok ? 1 : 0}">` +
		    `<td>${esc(fmtTime(r.time_ms))}<small>${esc(t('selftest.mode.' + r.mode, null, r.mode))} · ` +
		    `${esc(t('selftest.trigger.' + r.trigger, null, r.trigger))}</small></td>` +
		    `<td><span class="kl ${r.ok ? 'k-ok' : 'k-failed'}">${esc(t(r.ok ? 'ok' : 'failed'))}</span></td>` +
		    `<td class="checks">${checks}</td></tr>`;
	}
	return `<table class="list" data-testid="node-selftests"><tbody>${s}</tbody></table>` +
	    (s ? '' : `<p class="empty">${esc(t('node.noselftests'))}</p>`);
}

function nodeWarningsHtml(n)
{
	let s = '';
	for (const w of n.warnings || []) {
		let ev = w.evidence;
		if (ev != null && typeof ev !== 'string')
			ev = JSON.stringify(ev, null, 1);
		s += `<tr data-warning="${esc(w.id)}" class="st-${esc(w.status)}">` +
		    `<td>${esc(fmtTime(w.time_ms))}</td><td>${badgeHtml(w.status)}</td>` +
		    `<td><a href="#/warning/${encodeURIComponent(w.id)}">${esc(w.title || w.id)}</a>` +
		    `<small>${esc(w.id)}</small></td>` +
		    `<td><span class="kl k-${esc(w.class)}">${esc(t('rc.class.' + w.class, null, w.class))}</span>` +
		    `${w.acknowledged ? ` <span class="ack">✋ ${esc(t('rc.ack', {by: ''}))}</span>` : ''}` +
		    `<small>${esc(w.reason || '')}</small></td>` +
		    `<td>${ev ? `<details><summary>${esc(t('node.evidence'))}</summary><pre>${esc(ev)}</pre></details>` : ''}</td></tr>`;
	}
	return `<table class="list" data-testid="node-warnings"><tbody>${s}</tbody></table>` +
	    (s ? '' : `<p class="empty">${esc(t('node.nowarnings'))}</p>`);
}

function nodePageHtml(n)
{
	const c = nodeClass(n);
	const st = canRole('maintainer') ? `<div class="actions">
	    <label class="check"><input type="checkbox" id="node-audible"> ${esc(t('selftest.audible'))}</label>
	    <button class="btn" type="button" data-testid="node-selftest">${esc(t('selftest.start'))}</button></div>` : '';
	return `<section class="node-page" data-testid="node-page" data-node="${esc(n.id)}">
	  <h1><span class="chip k-${esc(c)}">${esc(t('class.' + c))}</span> ${esc(n.name || n.id)}
	    <small>${esc(n.id)}</small></h1>
	  ${st}
	  ${statusFieldsHtml(n)}
	  <h2>${esc(t('node.faults'))}</h2>${faultsHtml(n)}
	  <h2>${esc(t('node.heartbeats'))}</h2>${heartbeatsHtml(n)}
	  <h2>${esc(t('node.selftests'))}</h2>${selftestsHtml(n)}
	  <h2>${esc(t('node.warnings'))}</h2>${nodeWarningsHtml(n)}
	  <h2>${esc(t('node.schedules'))}</h2>${nodeSchedulesHtml(n)}
	  <h2>${esc(t('node.plays'))}</h2>${nodePlaysHtml(n)}
	</section>`;
}

const NP = {id: ''};

/* background: a refresh on a node event (the session's idle time goes on) */
async function nodeShow(el, id, gen, background)
{
	const n = await api('/api/nodes/' + encodeURIComponent(id), {background});
	if (CX.stale(gen))
		return false;
	el.innerHTML = nodePageHtml(n);
	const b = $('[data-testid=node-selftest]', el);
	if (b)
		b.addEventListener('click', () => CX.selftestStart(n.id, $('#node-audible', el).checked, b));
	return true;
}

CX.views.node = {
	live: true,
	async render(el, r, gen) {
		NP.id = r.arg;
		if (await nodeShow(el, r.arg, gen))
			CX.ready('node', gen);
	},
	refresh() {
		nodeShow($('#view'), NP.id, CX.gen, true).catch(toastErr);
	},
	onEvent(type, d) {
		if (type === 'node' && d.id === NP.id)
			this.refresh();
	},
};

/* ---- the audit log ---------------------------------------------------- */

const AUDIT_PAGES_MAX = 20;     /* 100,000 records: more is for cunxiangctl */
const AUDIT_SHOW = 1000;        /* the newest records shown */

/* The records after seq "after" (page by page, as the hub gives them). */
async function auditRecords(after)
{
	let all = [];
	for (let i = 0; i < AUDIT_PAGES_MAX; i++) {
		const r = await api('/api/audit' + (after ? '?after=' + after : ''));
		all = all.concat(r.records || []);
		if (!r.more || !r.records || !r.records.length)
			break;
		after = r.records[r.records.length - 1].seq;
	}
	return all;
}

function auditResultHtml(v)
{
	if (!v)
		return `<p class="audit-result" data-testid="audit-result" data-ok="0">${esc(t('audit.unknown'))}</p>`;
	return `<p class="audit-result ${v.ok ? 'ok' : 'bad'}" data-testid="audit-result" data-ok="${v.ok ? 1 : 0}">` +
	    `${esc(v.ok ? t('audit.ok', {n: v.records, seq: v.head_seq}) : t('audit.bad', {why: v.problem}))}</p>`;
}

CX.views.audit = {
	async render(el, r, gen) {
		const v = await api('/api/audit/verify').catch((e) => {
			if (e instanceof ApiError && e.status === 404)
				return null;
			throw e;
		});
		const total = v ? v.head_seq : 0;
		const recs = await auditRecords(total > AUDIT_SHOW ? total - AUDIT_SHOW : 0);
		if (CX.stale(gen))
			return;
		let rows = '';
		for (let i = recs.length - 1; i >= 0 && recs.length - i <= AUDIT_SHOW; i--) {
			const x = recs[i];
			rows += `<tr data-seq="${esc(x.seq)}"><td>${esc(x.seq)}</td><td>${esc(fmtTime(x.time_ms))}</td>` +
			    `<td>${esc(x.actor)}</td><td><b>${esc(x.action)}</b></td><td>${esc(x.subject)}</td>` +
			    `<td class="c-reason">${esc(x.detail)}</td></tr>`;
		}
		const shown = Math.min(recs.length, AUDIT_SHOW);
		el.innerHTML = `<h1>${esc(t('audit.title'))}</h1>${auditResultHtml(v)}
		  <p class="muted">${esc(t('audit.shown', {n: shown}))}</p>
		  <table class="list audit" data-testid="audit-list"><thead><tr><th>#</th><th>${esc(t('col.time'))}</th>
		   <th>${esc(t('audit.actor'))}</th><th>${esc(t('audit.action'))}</th><th>${esc(t('audit.subject'))}</th>
		   <th>${esc(t('audit.detail'))}</th></tr></thead><tbody>${rows}</tbody></table>`;
		CX.ready('audit', gen);
	},
};

/* ---- accounts --------------------------------------------------------- */

function roleOptions(sel)
{
	return ROLES.map((r) => `<option value="${r}"${r === sel ? ' selected' : ''}>${esc(t('role.' + r))}</option>`).join('');
}

function accountRowHtml(a)
{
	const name = esc(a.name);
	return `<tr data-testid="account-row-${name}" data-name="${name}" data-disabled="${a.disabled ? 1 : 0}"` +
	    ` class="${a.disabled ? 'disabled' : ''}">` +
	    `<td><b>${name}</b>${a.disabled ? `<small>${esc(t('acct.disabled'))}</small>` : ''}</td>` +
	    `<td><select data-act="role" aria-label="${esc(t('acct.role'))}">${roleOptions(a.role)}</select></td>` +
	    `<td><small>${esc(t('acct.created', {t: fmtTime(a.created_ms)}))}<br>` +
	    `${esc(t('acct.lastlogin', {t: fmtTime(a.last_login_ms)}))}</small></td>` +
	    `<td class="acct-acts"><input type="password" data-act="pw" autocomplete="new-password" ` +
	    `placeholder="${esc(t('acct.newpw'))}" aria-label="${esc(t('acct.newpw'))}">` +
	    `<button class="btn small" type="button" data-act="setpw">${esc(t('acct.setpw'))}</button>` +
	    `<button class="btn small ${a.disabled ? '' : 'danger'}" type="button" data-act="disable">` +
	    `${esc(t(a.disabled ? 'acct.enable' : 'acct.disable'))}</button></td></tr>`;
}

async function accountChange(name, body, what)
{
	try {
		await api('/api/accounts/' + encodeURIComponent(name), {method: 'POST', body});
		toast(t('acct.changed', {name, what}), 'ok');
	} catch (e) {
		toastErr(e);
	}
	CX.views.accounts.refresh();
}

function accountsWire(el)
{
	const list = $('[data-testid=accounts-list]', el);
	list.addEventListener('change', (ev) => {
		const tr = ev.target.closest('tr[data-name]');
		if (tr && ev.target.dataset.act === 'role')
			accountChange(tr.dataset.name, {role: ev.target.value}, t('acct.role'));
	});
	list.addEventListener('click', (ev) => {
		const tr = ev.target.closest('tr[data-name]');
		const act = ev.target.dataset.act;
		if (!tr || !act)
			return;
		if (act === 'disable')
			accountChange(tr.dataset.name, {disabled: tr.dataset.disabled !== '1'},
			    t(tr.dataset.disabled === '1' ? 'acct.enable' : 'acct.disable'));
		else if (act === 'setpw') {
			const pw = $('[data-act=pw]', tr).value;
			if (pw)
				accountChange(tr.dataset.name, {password: pw}, t('acct.setpw'));
		}
	});
	const form = $('#account-new', el);
	form.addEventListener('submit', async (ev) => {
		ev.preventDefault();
		const f = form.elements;
		const btn = $('[data-testid=account-create]', form);
		btn.disabled = true;
		try {
			await api('/api/accounts', {method: 'POST', body: {name: f.name.value.trim(),
				role: f.role.value, password: f.password.value}});
			toast(t('acct.createdok', {name: f.name.value.trim()}), 'ok');
			form.reset();
			CX.views.accounts.refresh();
		} catch (e) {
			toastErr(e);
		} finally {
			btn.disabled = false;
		}
	});
}

async function accountsShow(el, gen)
{
	const list = await api('/api/accounts');
	if (CX.stale(gen))
		return false;
	$('[data-testid=accounts-list] tbody', el).innerHTML = list.map(accountRowHtml).join('');
	return true;
}

CX.views.accounts = {
	async render(el, r, gen) {
		if (!canRole('admin')) {
			el.innerHTML = `<p class="error big">${esc(t('acct.notallowed'))}</p>`;
			CX.ready('accounts', gen);
			return;
		}
		el.innerHTML = `<h1>${esc(t('acct.title'))}</h1>
		  <table class="list accounts" data-testid="accounts-list"><tbody></tbody></table>
		  <form class="card" id="account-new" autocomplete="off" novalidate><h2>${esc(t('acct.new'))}</h2>
		    <label>${esc(t('login.name'))}<input data-testid="account-new-name" name="name" required
		      autocapitalize="none" spellcheck="false" pattern="[A-Za-z0-9._@-]{1,48}"></label>
		    <label>${esc(t('acct.role'))}<select data-testid="account-new-role" name="role">${roleOptions('viewer')}</select></label>
		    <label>${esc(t('login.password'))}<input data-testid="account-new-password" name="password"
		      type="password" autocomplete="new-password" required minlength="10" maxlength="128"></label>
		    <button class="btn primary" type="submit" data-testid="account-create">${esc(t('acct.create'))}</button>
		  </form>`;
		accountsWire(el);
		if (await accountsShow(el, gen))
			CX.ready('accounts', gen);
	},
	refresh() {
		accountsShow($('#view'), CX.gen).catch(toastErr);
	},
};
