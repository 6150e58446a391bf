/*
 * app.js: the console's core (docs/CONSOLE.md, "The page").  The router
 * (routes are the hash), the API client (cookie session, X-CSRF-Token on
 * every POST; 401 goes to the login page, 403 shows the reason, 429 the
 * wait), the session and the header, the one EventSource on /api/events
 * (reconnect with backoff, "reset" and every reconnect fetch afresh), the
 * login view and the helpers every view uses: esc() for every server
 * string put into HTML, times (local, 24 h) and ages that tick.
 *
 * Views live in nodes.js, warning.js, send.js and admin.js; each registers
 * CX.views[NAME] = {render(el, route, gen), refresh?(), onEvent?(type, data)}.
 * render() builds its HTML in one string and calls CX.ready(NAME, gen) when
 * its data is shown; gen tells a render that the route changed under it
 * (CX.stale(gen)).  Styles come from app.css or element.style, never from
 * attributes (the hub's CSP: default-src 'self').
 */
'use strict';

const CX = window.CX = {
	views: {},
	me: null,           /* {name, role, csrf, expires_ms} */
	cur: null,          /* {name, route, gen, view} */
	gen: 0,
	t0: 0,
};
window.cxTimings = window.cxTimings || {};

const ROLES = ['viewer', 'maintainer', 'operator', 'admin'];
const ESC = {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'};

/* Every server string (and every user string) goes through esc() before it
 * is put into HTML. */
function esc(s)
{
	return String(s ?? '').replace(/[&<>"']/g, (c) => ESC[c]);
}

function $(sel, root) { return (root || document).querySelector(sel); }
function $$(sel, root) { return Array.from((root || document).querySelectorAll(sel)); }

/* One element from HTML made for a context (a <tr> needs a <tbody>). */
function elFrom(html, context)
{
	const box = document.createElement(context || 'div');
	box.innerHTML = html;
	return box.firstElementChild;
}

function pad2(n) { return String(n).padStart(2, '0'); }

/* Local time, 24 h: YYYY-MM-DD HH:mm:ss ("—" for none). */
function fmtTime(ms)
{
	if (ms == null || !(ms > 0))
		return '—';
	const d = new Date(ms);
	return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ` +
	    `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
}

/* An age in seconds: "12 秒前" / "3 min ago"; short: "12 秒" / "3 min". */
function fmtAge(s, short)
{
	if (s == null || !isFinite(s))
		return t('age.never');
	s = Math.max(0, Math.floor(s));
	let n = s, u = 's';
	if (s >= 86400) { n = Math.floor(s / 86400); u = 'd'; }
	else if (s >= 3600) { n = Math.floor(s / 3600); u = 'h'; }
	else if (s >= 60) { n = Math.floor(s / 60); u = 'min'; }
	return t((short ? 'age.short.' : 'age.') + u, {n});
}

/* A ticking age: at = the browser's time (ms) of the thing. */
function ageHtml(at, short)
{
	if (at == null)
		return `<span class="age">${esc(t('age.never'))}</span>`;
	return `<span class="age" data-at="${Math.round(at)}"${short ? ' data-short="1"' : ''}>` +
	    `${esc(fmtAge((Date.now() - at) / 1000, short))}</span>`;
}

function tickAges()
{
	const now = Date.now();
	for (const el of document.querySelectorAll('.age[data-at]')) {
		const s = fmtAge((now - Number(el.dataset.at)) / 1000, el.dataset.short === '1');
		if (el.textContent !== s)
			el.textContent = s;
	}
}

/* The status badge: 真实 in red, 演练 and 测试 in their own colours. */
function badgeHtml(status, testid)
{
	const st = ['actual', 'exercise', 'test'].includes(status) ? status : 'unknown';
	return `<span class="badge st-${st}"${testid ? ` data-testid="${testid}"` : ''}>` +
	    `${esc(t('status.' + st))}</span>`;
}

function verdictHtml(v)
{
	const k = v || 'none';
	return `<span class="verdict v-${esc(k)}">${esc(t('verdict.' + k, null, k))}</span>`;
}

function canRole(role)
{
	return CX.me != null && ROLES.indexOf(CX.me.role) >= ROLES.indexOf(role);
}

/* ---- the API --------------------------------------------------------- */

class ApiError extends Error {
	constructor(status, message, data, retry)
	{
		super(message);
		this.status = status;
		this.data = data;
		this.retry = retry;
	}
}

/* What to tell the user about a failed request. */
function errText(e)
{
	if (!(e instanceof ApiError))
		return String(e && e.message || e);
	if (e.status === 0)
		return t('err.network');
	if (e.status === 403)
		return t('err.forbidden', {why: e.message});
	if (e.status === 429)
		return t('err.wait', {s: e.retry || '?'});
	if (e.status === 503)
		return t('err.unavailable', {why: e.message});
	return e.message || t('err.http', {n: e.status});
}

/* api(PATH[, {method, body, auth401}]): the parsed JSON answer, or throws
 * ApiError.  Cookies go with every request; a POST carries the CSRF token.
 * A 401 (outside the login itself) ends the session: to the login page. */
async function api(path, opts)
{
	opts = opts || {};
	const method = opts.method || 'GET';
	const init = {method, credentials: 'same-origin', cache: 'no-store',
	    headers: {'Accept': 'application/json'}};
	if (method !== 'GET' && method !== 'HEAD') {
		init.headers['Content-Type'] = 'application/json';
		if (CX.me && CX.me.csrf)
			init.headers['X-CSRF-Token'] = CX.me.csrf;
		init.body = JSON.stringify(opts.body ?? {});
	}
	if (opts.background)            /* a refresh on an event: not the user's activity */
		init.headers['X-CX-Background'] = '1';
	let r;
	try {
		r = await fetch(path, init);
	} catch (e) {
		throw new ApiError(0, t('err.network'), null, 0);
	}
	const text = await r.text();
	let data = null;
	if (text) {
		try { data = JSON.parse(text); } catch (e) { data = null; }
	}
	if (r.ok)
		return data;
	const err = new ApiError(r.status, (data && data.error) || r.statusText || String(r.status),
	    data, Number(r.headers.get('Retry-After')) || 0);
	if (r.status === 401 && !opts.auth401)
		sessionLost();
	throw err;
}

/* ---- the toast: the last message or error ---------------------------- */

let toastTimer = 0;
function toast(msg, kind)
{
	const el = $('#toast');
	el.textContent = msg;
	el.className = 'toast show ' + (kind || 'info');
	clearTimeout(toastTimer);
	toastTimer = setTimeout(() => el.classList.add('dim'), 8000);
}
function toastErr(e) { toast(errText(e), 'error'); }
/* An error put right (the form that showed it is good now): no longer shown. */
function toastClearError()
{
	const el = $('#toast');
	if (el.classList.contains('error'))
		el.className = 'toast';
}

/* ---- session and header ---------------------------------------------- */

async function sessionLoad()
{
	try {
		CX.me = await api('/api/session', {auth401: true});
	} catch (e) {
		CX.me = null;
		if (!(e instanceof ApiError) || e.status !== 401)
			throw e;
	}
	return CX.me;
}

function sessionLost()
{
	if (!CX.me && CX.cur && CX.cur.name === 'login')
		return;
	CX.me = null;
	liveStop();
	const h = location.hash;
	if (!h.startsWith('#/login'))
		location.hash = '#/login?next=' + encodeURIComponent(h || '#/nodes');
}

function chrome()
{
	const logged = CX.me != null;
	document.body.classList.toggle('anon', !logged);
	$('[data-testid=me]').textContent = logged ?
	    `${CX.me.name} · ${t('role.' + CX.me.role, null, CX.me.role)}` : '';
	$('[data-testid=nav-send]').hidden = !canRole('operator');
	$('[data-testid=nav-accounts]').hidden = !canRole('admin');
	const name = CX.cur ? CX.cur.name : '';
	for (const a of $$('#nav a'))
		a.classList.toggle('on', a.dataset.view === name ||
		    (a.dataset.view === 'warnings' && name === 'warning') ||
		    (a.dataset.view === 'nodes' && name === 'node'));
}

function i18nStatic()
{
	document.documentElement.lang = cxLang();
	for (const el of $$('[data-i18n]'))
		el.textContent = t(el.dataset.i18n);
	document.title = t('app.title');
	$('[data-testid=lang]').value = cxLang();
	setLive(live.open ? 1 : 0);
}

/* ---- the router ------------------------------------------------------- */

function parseHash()
{
	const h = location.hash.replace(/^#\/?/, '');
	const qi = h.indexOf('?');
	const path = qi >= 0 ? h.slice(0, qi) : h;
	const parts = path.split('/');
	let arg = '';
	try { arg = decodeURIComponent(parts.slice(1).join('/')); } catch (e) { arg = ''; }
	return {name: parts[0] || 'nodes', arg, q: new URLSearchParams(qi >= 0 ? h.slice(qi + 1) : '')};
}

/* The view finished rendering its data: the browser test waits on the
 * first, the bench reads the second. */
CX.ready = function (name, gen)
{
	if (gen !== CX.gen)
		return;
	window.cxTimings[name] = Math.round(performance.now() - CX.t0);
	document.body.dataset.ready = name;
};
CX.stale = (gen) => gen !== CX.gen;

function closeDialogs()
{
	for (const d of $$('dialog[open]'))
		d.close();
}

async function route()
{
	CX.t0 = performance.now();
	const gen = ++CX.gen;
	delete document.body.dataset.ready;
	closeDialogs();
	let r = parseHash();
	if (r.name !== 'login' && CX.me == null) {
		try {
			await sessionLoad();
		} catch (e) {
			/* the hub unreachable: say so, keep the session for the retry */
			if (!CX.stale(gen))
				unreachable(e);
			return;
		}
		if (CX.stale(gen))
			return;
		if (CX.me == null) {
			location.replace('#/login?next=' + encodeURIComponent(location.hash || '#/nodes'));
			return;
		}
		liveStart();
	}
	let view = CX.views[r.name];
	if (!view) {
		r = {name: 'nodes', arg: '', q: new URLSearchParams()};
		view = CX.views.nodes;
	}
	CX.cur = {name: r.name, route: r, gen, view};
	chrome();
	const el = $('#view');
	el.className = 'view view-' + r.name;
	el.innerHTML = `<p class="loading">${esc(t('loading'))}</p>`;
	window.scrollTo(0, 0);
	try {
		await view.render(el, r, gen);
	} catch (e) {
		if (CX.stale(gen))
			return;
		if (e instanceof ApiError && e.status === 401)
			return;
		el.innerHTML = `<p class="error big">${esc(errText(e))}</p>`;
		toastErr(e);
	}
}

function unreachable(e)
{
	const el = $('#view');
	el.innerHTML = `<p class="error big">${esc(errText(e))}</p>` +
	    `<button class="btn primary big" type="button" id="retry">${esc(t('retry'))}</button>`;
	$('#retry', el).addEventListener('click', route);
	toastErr(e);
}

/* Fetch afresh what the page shows (a "reset" event, a reconnect). */
function refetch()
{
	const c = CX.cur;
	if (!c || !c.view.live)
		return;
	if (c.view.refresh)
		c.view.refresh();
	else
		route();
}

/* ---- live events ------------------------------------------------------ */

const live = {es: null, open: false, backoff: 1000, timer: 0, opened: false};

function setLive(on)
{
	const el = $('[data-testid=live]');
	el.dataset.live = on ? '1' : '0';
	$('.live-txt', el).textContent = t(on ? 'live.on' : 'live.off');
}

function liveStart()
{
	if (live.es || live.timer || CX.me == null)
		return;
	const es = new EventSource('/api/events', {withCredentials: true});
	live.es = es;
	es.onopen = () => {
		live.open = true;
		live.backoff = 1000;
		setLive(1);
		if (live.opened)        /* a reconnect: what came meanwhile is lost */
			refetch();
		live.opened = true;
	};
	es.onerror = () => {
		es.close();
		live.es = null;
		live.open = false;
		setLive(0);
		if (CX.me == null)
			return;
		live.timer = setTimeout(() => {
			live.timer = 0;
			sessionLoad().then(() => {
				if (CX.me)
					liveStart();
				else
					sessionLost();
			}, () => liveStart());
		}, live.backoff);
		live.backoff = Math.min(live.backoff * 2, 30000);
	};
	for (const type of ['rollcall', 'node', 'warning'])
		es.addEventListener(type, (ev) => liveDispatch(type, ev.data));
	es.addEventListener('reset', () => refetch());
}

function liveStop()
{
	clearTimeout(live.timer);
	live.timer = 0;
	if (live.es)
		live.es.close();
	live.es = null;
	live.open = false;
	live.opened = false;
	setLive(0);
}

function liveDispatch(type, raw)
{
	let data;
	try { data = JSON.parse(raw); } catch (e) { return; }
	const c = CX.cur;
	if (c && c.view.onEvent)
		c.view.onEvent(type, data);
}

/* ---- login ------------------------------------------------------------ */

CX.views.login = {
	render(el, r, gen) {
		liveStop();
		CX.me = null;
		chrome();
		el.innerHTML = `<form class="card login" id="login-form" autocomplete="on">
		  <h1>${esc(t('login.title'))}</h1>
		  <label>${esc(t('login.name'))}
		    <input data-testid="login-name" name="name" autocomplete="username" required
		     autocapitalize="none" spellcheck="false"></label>
		  <label>${esc(t('login.password'))}
		    <input data-testid="login-password" name="password" type="password"
		     autocomplete="current-password" required></label>
		  <p class="error" data-testid="login-error" role="alert"></p>
		  <button class="btn primary big" data-testid="login-submit" type="submit">
		    ${esc(t('login.submit'))}</button>
		</form>`;
		const form = $('#login-form', el);
		form.addEventListener('submit', (ev) => {
			ev.preventDefault();
			loginSubmit(form, r);
		});
		$('[data-testid=login-name]', el).focus();
		CX.ready('login', gen);
	},
};

async function loginSubmit(form, r)
{
	const err = $('[data-testid=login-error]', form);
	const btn = $('[data-testid=login-submit]', form);
	err.textContent = '';
	btn.disabled = true;
	try {
		CX.me = await api('/api/login', {method: 'POST', auth401: true, body: {
			name: form.elements.name.value.trim(), password: form.elements.password.value}});
		form.elements.password.value = '';
		liveStart();
		let next = r.q.get('next') || '#/nodes';
		if (!next.startsWith('#/') || next.startsWith('#/login'))
			next = '#/nodes';
		location.hash = next;
	} catch (e) {
		if (e.status === 429 && e.retry > 0) {
			loginWait(err, btn, e.retry);
			return;
		}
		err.textContent = e.status === 401 ? t('login.wrong') : errText(e);
	}
	btn.disabled = false;
}

/* The hub asked for a wait (429, Retry-After): count it down, then allow
 * another attempt. */
function loginWait(err, btn, s)
{
	const until = Date.now() + s * 1000;
	const step = () => {
		const left = Math.ceil((until - Date.now()) / 1000);
		if (!err.isConnected || left <= 0) {
			clearInterval(timer);
			btn.disabled = false;
			if (err.isConnected)
				err.textContent = t('login.again');
			return;
		}
		err.textContent = t('err.wait', {s: left});
	};
	const timer = setInterval(step, 1000);
	step();
}

async function logout()
{
	try {
		await api('/api/logout', {method: 'POST', auth401: true});
	} catch (e) {
		/* the session may be gone already: the login page either way */
	}
	CX.me = null;
	liveStop();
	location.hash = '#/login';
}

/* ---- start ------------------------------------------------------------ */

function start()
{
	i18nStatic();
	$('[data-testid=lang]').addEventListener('change', (ev) => {
		cxSetLang(ev.target.value);
		i18nStatic();
		chrome();
		route();
	});
	$('[data-testid=logout]').addEventListener('click', logout);
	window.addEventListener('hashchange', route);
	setInterval(tickAges, 1000);
	route();
}

document.addEventListener('DOMContentLoaded', start);
