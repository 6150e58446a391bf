/*
 * send.js: composing and sending a warning, drill or test, #/send, and an
 * update or cancel of one, #/send?type=update|cancel&ref=ID (docs/CONSOLE.md
 * "Sending").  The status has no default: nobody sends an actual warning by
 * leaving a field alone.  Preview (POST /api/send/preview) shows the first
 * confirmation: zones, node count, status, title, text.  "Send" posts the
 * same fields with its token; for an actual warning the hub answers 409
 * need=actual and the page shows a second, red dialog in which the officer
 * types the number of nodes before anything is sent.  The township key
 * stays on the hub: the page never signs anything.
 */
'use strict';

const SEVERITIES = [1, 2, 3, 4, 0];
const EXPIRES = [1800, 3600, 7200, 21600, 43200, 86400];
const SV = {type: 'alert', ref: '', orig: null, catalog: null, zones: [], fields: null,
	preview: null, el: null, busy: false};

const CATALOG_NONE = {clips: [], sirens: ['pre-warning', 'air-raid', 'all-clear'], signer: null,
	events: ['flood']};

function inScope(code)
{
	const s = SV.catalog.signer;
	return s != null && (s.zones || []).some((p) => code.startsWith(p));
}

/* The codes typed or picked, in order, without repeats. */
function zoneCodes(text)
{
	return Array.from(new Set(String(text).split(/[\s,，、;；]+/).filter(Boolean)));
}

function pickTreeHtml()
{
	if (!SV.zones.length)
		return '';
	let s = '';
	for (const z of SV.zones) {
		const code = esc(z.zone);
		const ok = inScope(z.zone);
		s += `<label class="pick lv-${esc(z.level)}${ok ? '' : ' out'}">` +
		    `<input type="checkbox" data-testid="pick-${code}" value="${code}"${ok ? '' : ' disabled'}>` +
		    `${z.name ? `<b>${esc(z.name)}</b> ` : ''}<b>${code}</b> <span class="zlevel">${esc(t('level.' + z.level, null, z.level))}</span> ` +
		    `<small>${esc(t('nodes.count', {n: z.nodes}))}` +
		    `${z.offline ? ' · ' + esc(t('send.offline', {n: z.offline})) : ''}</small></label>`;
	}
	return `<div class="pick-tree">${s}</div>`;
}

function optionsHtml(values, label, selected)
{
	return values.map((v) => `<option value="${esc(v)}"${String(v) === String(selected) ? ' selected' : ''}>` +
	    `${esc(label(v))}</option>`).join('');
}

function checksHtml(kind, names, picked)
{
	if (!names.length)
		return `<p class="muted">${esc(t('send.none.' + kind))}</p>`;
	return names.map((n) => `<label class="check"><input type="checkbox" data-testid="${kind}-${esc(n)}" ` +
	    `name="${kind}" value="${esc(n)}"${picked.includes(n) ? ' checked' : ''}> ${esc(n)}</label>`).join('');
}

function composeHtml()
{
	const c = SV.catalog, o = SV.orig || {};
	const cancel = SV.type === 'cancel';
	const head = SV.type === 'alert' ? t('send.title.alert') :
	    t('send.title.' + SV.type, {ref: SV.ref});
	const status = o.status || '';
	const playing = cancel ? '' : `
	  <fieldset><legend>${esc(t('send.what'))}</legend>
	    <div class="row2">
	      <label>${esc(t('send.event'))}<select data-testid="send-event" name="event">
	        ${optionsHtml(c.events, (v) => t('event.' + v, null, v), c.events[0])}</select></label>
	      <label>${esc(t('send.severity'))}<select data-testid="send-severity" name="severity">
	        ${optionsHtml(SEVERITIES, (v) => t('severity.' + v), 0)}</select></label>
	    </div>
	    <label>${esc(t('send.ttl'))}<input data-testid="send-title" name="title" maxlength="256"
	      value="${esc(o.title || '')}"></label>
	    <label>${esc(t('send.text'))}<textarea data-testid="send-text" name="text" rows="4"
	      maxlength="4096"></textarea></label>
	  </fieldset>
	  <fieldset><legend>${esc(t('send.play'))}</legend>
	    <div class="checks"><span class="lbl">${esc(t('send.clips'))}</span>${checksHtml('clip', c.clips.map((x) => x.name), [])}</div>
	    <div class="checks"><span class="lbl">${esc(t('send.sirens'))}</span>${checksHtml('siren', c.sirens, [])}</div>
	    <label class="check"><input type="checkbox" data-testid="send-speech" name="speech">
	      ${esc(t('send.speech'))}</label>
	    <div class="row2">
	      <label>${esc(t('send.volume'))}<input name="volume" type="number" min="0" max="100"
	        inputmode="numeric" placeholder="${esc(t('send.volume.keep'))}"></label>
	      <label>${esc(t('send.expires'))}<select name="expires_s">
	        ${optionsHtml(EXPIRES, (v) => t('send.expires.s', {h: v / 3600}), 3600)}</select></label>
	    </div>
	  </fieldset>`;
	return `<form class="send st-none" id="send-form" novalidate>
	  <h1>${esc(head)}</h1>
	  ${SV.orig && SV.orig.title ? `<p class="muted">${badgeHtml(SV.orig.status)} ${esc(SV.orig.title)}</p>` : ''}
	  ${c.signer ? '' : `<p class="notice error">${esc(t('send.nosigner'))}</p>`}
	  <fieldset class="status-box"><legend>${esc(t('send.status'))}</legend>
	    <select data-testid="send-status" name="status" class="big" required>
	      <option value=""${status ? '' : ' selected'}>${esc(t('send.status.pick'))}</option>
	      ${optionsHtml(['actual', 'exercise', 'test'], (v) => t('send.status.' + v), status)}
	    </select>
	    <p class="status-note"></p>
	  </fieldset>
	  <fieldset><legend>${esc(t('send.zones'))}</legend>
	    <input data-testid="send-zones" name="zones" inputmode="numeric" autocomplete="off"
	      placeholder="${esc(t('send.zones.hint'))}" value="${esc((o.target_zones || []).join(' '))}">
	    ${pickTreeHtml()}
	  </fieldset>
	  ${playing}
	  <p class="error big" data-testid="send-error" role="alert"></p>
	  <button class="btn primary big" type="submit" data-testid="send-preview"
	    ${c.signer ? '' : 'disabled'}>${esc(t('send.preview'))}</button>
	</form>
	<dialog class="confirm" data-testid="confirm-dialog" id="confirm-dialog"></dialog>
	<dialog class="confirm actual" data-testid="confirm-actual-dialog" id="confirm-actual-dialog"></dialog>`;
}

/* FIELDS as docs/CONSOLE.md has them, or a message saying what is missing. */
function sendFields(form)
{
	const f = form.elements;
	const zones = zoneCodes(f.zones.value);
	const out = {type: SV.type, ref: SV.ref, status: f.status.value, zones};
	if (!out.status)
		return t('send.err.status');
	if (!zones.length)
		return t('send.err.zones');
	const bad = zones.find((z) => !/^[0-9]{2,32}$/.test(z));
	if (bad)
		return t('send.err.zone', {z: bad});
	if (SV.type === 'cancel')
		return out;
	out.event = f.event.value;
	out.severity = Number(f.severity.value);
	out.title = f.title.value.trim();
	out.text = f.text.value.trim();
	out.clips = $$('input[name=clip]:checked', form).map((x) => x.value);
	out.sirens = $$('input[name=siren]:checked', form).map((x) => x.value);
	out.speech = f.speech.checked;
	const vol = f.volume.value.trim();
	out.volume = vol === '' ? null : Number(vol);
	out.expires_s = Number(f.expires_s.value);
	if (out.volume != null && !(Number.isInteger(out.volume) && out.volume >= 0 && out.volume <= 100))
		return t('send.err.volume');
	if (!out.clips.length && !out.sirens.length && !out.speech)
		return t('send.err.play');
	if (out.speech && !out.text)
		return t('send.err.speech');
	return out;
}

/* Status colours the whole form: an actual warning is red everywhere. */
function statusChanged(form)
{
	const st = form.elements.status.value || 'none';
	form.className = 'send st-' + st;
	$('.status-note', form).textContent = st === 'none' ? '' :
	    t(SV.type === 'cancel' ? 'send.note.cancel' : 'send.note.' + st);
}

/* Keep the typed codes and the picked boxes the same set. */
function zonesFromText(form)
{
	const set = new Set(zoneCodes(form.elements.zones.value));
	for (const cb of $$('.pick-tree input', form)) {
		cb.checked = set.has(cb.value);
		let covered = false;
		for (const p of set)
			if (p !== cb.value && cb.value.startsWith(p))
				covered = true;
		cb.parentElement.classList.toggle('covered', covered);
	}
}

function zonesFromPick(form, cb)
{
	const codes = zoneCodes(form.elements.zones.value).filter((z) => z !== cb.value);
	if (cb.checked)
		codes.push(cb.value);
	form.elements.zones.value = codes.join(' ');
	zonesFromText(form);
}

function sendError(msg)
{
	const el = $('[data-testid=send-error]', SV.el);
	if (el)
		el.textContent = msg || '';
	if (msg)
		toast(msg, 'error');
	else
		toastClearError();
}

function confirmHtml(p, f)
{
	const actual = f.status === 'actual' && f.type !== 'cancel';
	const sendText = f.type === 'cancel' ? 'confirm.send.cancel' : actual ? 'confirm.send.actual' : 'confirm.send';
	let zones = '';
	for (const z of p.zones || [])
		zones += `<li><b>${esc(z.zone)}</b> ${esc(t('nodes.count', {n: z.nodes}))}` +
		    `${z.offline ? ` <span class="warn">${esc(t('send.offline', {n: z.offline}))}</span>` : ''}</li>`;
	return `<form method="dialog" class="st-${esc(f.status)}">
	  <h2>${esc(t(actual ? 'confirm.head.actual' : 'confirm.head', {type: t('type.' + f.type)}))}</h2>
	  <p class="confirm-status" data-testid="confirm-status">${badgeHtml(f.status)}
	    ${esc(t(f.type === 'cancel' ? 'send.note.cancel' : 'send.note.' + f.status))}</p>
	  <p class="confirm-count">${esc(t('confirm.nodes'))}
	    <b data-testid="confirm-nodes">${esc(p.nodes)}</b>
	    ${p.offline ? `<span class="warn">${esc(t('confirm.offline', {n: p.offline}))}</span>` : ''}</p>
	  <ul class="confirm-zones" data-testid="confirm-zones">${zones}</ul>
	  <h3 data-testid="confirm-title">${esc(f.title || (p.body && p.body.title) || '')}</h3>
	  <p class="confirm-text" data-testid="confirm-text">${esc(f.text || (p.body && p.body.text) || '')}</p>
	  ${f.type === 'cancel' ? `<p>${esc(t('confirm.cancels', {ref: f.ref}))}</p>` : ''}
	  <div class="buttons">
	    <button class="btn big" type="button" data-testid="confirm-back">${esc(t('confirm.back'))}</button>
	    <button class="btn big ${actual ? 'danger' : 'primary'}" type="button" data-testid="confirm-send">
	      ${esc(t(sendText))}</button>
	  </div></form>`;
}

function showConfirm(p, f)
{
	const d = $('#confirm-dialog', SV.el);
	d.innerHTML = confirmHtml(p, f);
	d.className = 'confirm st-' + f.status;
	$('[data-testid=confirm-back]', d).addEventListener('click', () => d.close());
	$('[data-testid=confirm-send]', d).addEventListener('click', (ev) => doSend({}, ev.target));
	d.showModal();
	$('[data-testid=confirm-back]', d).focus();
}

function showActual(need)
{
	$('#confirm-dialog', SV.el).close();
	const d = $('#confirm-actual-dialog', SV.el);
	const n = String(need.nodes);
	d.innerHTML = `<form method="dialog">
	  <h2>${esc(t('actual.head'))}</h2>
	  <p class="big">${esc(t('actual.body', {n, zones: (need.zones || []).map((z) => z.zone || z).join(' ')}))}</p>
	  <label>${esc(t('actual.type', {n}))}
	    <input data-testid="confirm-actual-input" inputmode="numeric" autocomplete="off" class="big"></label>
	  <div class="buttons">
	    <button class="btn big" type="button" data-act="back">${esc(t('confirm.back'))}</button>
	    <button class="btn big danger" type="button" data-testid="confirm-actual-send" disabled>
	      ${esc(t('actual.send', {n}))}</button>
	  </div></form>`;
	const input = $('[data-testid=confirm-actual-input]', d);
	const send = $('[data-testid=confirm-actual-send]', d);
	input.addEventListener('input', () => { send.disabled = input.value.trim() !== n; });
	$('[data-act=back]', d).addEventListener('click', () => d.close());
	send.addEventListener('click', () => {
		if (input.value.trim() === n)
			doSend({confirm_actual: need.confirm_actual}, send);
	});
	d.showModal();
	input.focus();
}

async function doPreview(form)
{
	sendError('');
	const f = sendFields(form);
	if (typeof f === 'string') {
		sendError(f);
		return;
	}
	const btn = $('[data-testid=send-preview]', form);
	btn.disabled = true;
	try {
		SV.preview = await api('/api/send/preview', {method: 'POST', body: f});
		SV.fields = f;
		showConfirm(SV.preview, f);
	} catch (e) {
		sendError(errText(e));
	} finally {
		btn.disabled = false;
	}
}

async function doSend(extra, btn)
{
	if (SV.busy)
		return;
	SV.busy = true;
	btn.disabled = true;
	const body = Object.assign({}, SV.fields, {confirm: SV.preview.confirm}, extra);
	try {
		const r = await api('/api/send', {method: 'POST', body});
		closeDialogs();
		toast(t('send.sent', {id: r.id, n: r.published}), 'ok');
		location.hash = '#/warning/' + encodeURIComponent(r.id);
	} catch (e) {
		if (e.status === 409 && e.data && e.data.need === 'actual') {
			showActual(e.data);
		} else {
			closeDialogs();
			sendError(e.status === 409 ? t('send.err.again') : errText(e));
		}
	} finally {
		SV.busy = false;
		btn.disabled = false;
	}
}

async function sendLoad(r)
{
	SV.type = ['update', 'cancel'].includes(r.q.get('type')) ? r.q.get('type') : 'alert';
	SV.ref = SV.type === 'alert' ? '' : r.q.get('ref') || '';
	const soft404 = (e, v) => {
		if (e instanceof ApiError && e.status === 404)
			return v;
		throw e;
	};
	const [cat, zr, orig] = await Promise.all([
		api('/api/catalog').catch((e) => soft404(e, CATALOG_NONE)),
		api('/api/zones').catch((e) => soft404(e, {zones: []})),
		SV.ref ? api('/api/warnings/' + encodeURIComponent(SV.ref)) : null,
	]);
	SV.catalog = Object.assign({}, CATALOG_NONE, cat);
	SV.zones = zr.zones || [];
	SV.orig = orig;
}

CX.views.send = {
	async render(el, r, gen) {
		if (!canRole('operator')) {
			el.innerHTML = `<p class="error big">${esc(t('send.notallowed'))}</p>`;
			CX.ready('send', gen);
			return;
		}
		await sendLoad(r);
		if (CX.stale(gen))
			return;
		SV.el = el;
		el.innerHTML = composeHtml();
		const form = $('#send-form', el);
		statusChanged(form);
		zonesFromText(form);
		form.elements.status.addEventListener('change', () => statusChanged(form));
		form.elements.zones.addEventListener('input', () => zonesFromText(form));
		form.addEventListener('change', (ev) => {
			if (ev.target.closest('.pick-tree'))
				zonesFromPick(form, ev.target);
		});
		form.addEventListener('submit', (ev) => {
			ev.preventDefault();
			doPreview(form);
		});
		CX.ready('send', gen);
	},
};
