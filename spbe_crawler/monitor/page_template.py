"""The Jinja2 template of the status page (kept in a module so it ships inside the wheel)."""

from __future__ import annotations

TEMPLATE = """<!DOCTYPE html>
<html lang="id">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
{% if refresh %}<meta http-equiv="refresh" content="{{ refresh }}">{% endif %}
<title>Status Layanan Digital – {{ f.scope_name }}</title>
<style>
:root { --up: #2e7d32; --down: #c62828; --pending: #b45309; --maint: #1565c0; --none: #757575; --warn: #f9a825; }
* { box-sizing: border-box; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0 auto; max-width: 1100px; padding: 1rem; color: #222; line-height: 1.4; }
h1 { font-size: 1.45rem; margin: .2rem 0 .4rem; } h2 { font-size: 1.15rem; margin-top: 1.8rem; border-bottom: 1px solid #ddd; padding-bottom: .2rem; }
.banner { border-radius: 8px; padding: .9rem 1rem; color: #fff; font-size: 1.1rem; font-weight: 600; margin: .8rem 0; }
.banner small { display: block; font-weight: 400; font-size: .9rem; opacity: .95; }
.banner.up { background: var(--up); } .banner.down { background: var(--down); } .banner.pending { background: var(--pending); } .banner.maintenance { background: var(--maint); } .banner.unknown { background: var(--none); }
.scroll { overflow-x: auto; -webkit-overflow-scrolling: touch; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid #eee; vertical-align: middle; }
th { background: #fafafa; font-weight: 600; } td.num, th.num { text-align: right; white-space: nowrap; }
.pill { display: inline-block; border-radius: 999px; padding: .05rem .55rem; color: #fff; font-size: .8rem; white-space: nowrap; }
.pill.up { background: var(--up); } .pill.down { background: var(--down); } .pill.pending { background: var(--pending); } .pill.maintenance { background: var(--maint); } .pill.unknown { background: var(--none); }
.muted { color: #666; font-size: .85rem; } .url { word-break: break-all; }
.portal { border: 1px solid #ddd; border-radius: 8px; padding: .8rem; margin: .8rem 0; break-inside: avoid; }
.portal h3 { margin: 0 0 .3rem; font-size: 1rem; } svg { display: block; margin: .3rem 0; max-width: 100%; height: auto; }
.timeline { list-style: none; padding: 0; margin: 0; border-left: 3px solid #ddd; }
.timeline li { position: relative; margin: 0 0 .8rem .9rem; break-inside: avoid; }
.timeline li::before { content: ""; position: absolute; left: -1.35rem; top: .3rem; width: .8rem; height: .8rem; border-radius: 50%; background: var(--up); }
.timeline li.ongoing::before { background: var(--down); }
@media (max-width: 600px) {
  body { padding: .6rem; } h1 { font-size: 1.2rem; } table { font-size: .8rem; } th, td { padding: .3rem .3rem; }
  .wide { display: none; }
}
@media print {
  @page { size: A4; margin: 12mm; }
  body { max-width: none; padding: 0; font-size: 10pt; color: #000; }
  .banner, .pill, .timeline li::before { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  .scroll { overflow: visible; } a { color: #000; text-decoration: none; }
  h2 { break-after: avoid; } tr { break-inside: avoid; }
}
</style>
</head>
<body>
<h1>Status Ketersediaan Layanan Digital – {{ f.scope_name }}</h1>
<div class="banner {{ banner.state }}" role="status">{{ banner.title }}<small>{{ banner.detail }}</small></div>
<p class="muted">Diperbarui {{ f.generated_at|waktu }}.{% if refresh %} Halaman dimuat ulang otomatis tiap {{ (refresh / 60)|round|int }} menit.{% endif %}
 Ketersediaan dihitung dari probe berkala; gangguan dicatat setelah kegagalan dikonfirmasi ulang.</p>

<h2>Portal layanan</h2>
{% for c in charts %}
<div class="portal">
  <h3>{{ c.site.unit_name }} <span class="pill {{ c.site.state }}">{{ state_text[c.site.state] }}</span></h3>
  <div class="url">{% if c.site.url|href %}<a href="{{ c.site.url|href }}">{{ c.site.url }}</a>{% else %}{{ c.site.url }}{% endif %}</div>
  <div class="muted">Ketersediaan{% for w, name in windows.items() %} {{ name }}: {{ c.site.uptime[w].percent|pct }}{% if not loop.last %} ·{% endif %}{% endfor %}
   · Latensi 24 jam p50 {{ c.site.p50_ms['24h']|ms }}, p95 {{ c.site.p95_ms['24h']|ms }}
   {% if c.site.cert_expires_at %}· Sertifikat berlaku hingga {{ c.site.cert_expires_at|tanggal }}{% endif %}
   {% if c.site.maintenance_until %}· Pemeliharaan hingga {{ c.site.maintenance_until|waktu }}{% endif %}</div>
  <svg width="{{ c.width }}" height="{{ bar_h }}" viewBox="0 0 {{ c.width }} {{ bar_h }}" role="img" aria-label="Ketersediaan harian 30 hari">
  {% for b in c.bars %}<rect x="{{ b.x }}" y="{{ '%.1f'|format(b.y) }}" width="8" height="{{ '%.1f'|format(b.height) }}" fill="{{ b.color }}"><title>{{ b.title }}</title></rect>{% endfor %}
  </svg>
  <svg width="{{ c.width }}" height="{{ line_h }}" viewBox="0 0 {{ c.width }} {{ line_h }}" role="img" aria-label="Latensi median per jam, 24 jam terakhir">
    <polyline fill="none" stroke="#1565c0" stroke-width="1.5" points="{{ c.points }}"/>
    <title>Latensi median per jam (maks {{ c.max_ms|ms }})</title>
  </svg>
  <div class="muted">Batang: ketersediaan per hari (30 hari). Garis: latensi median per jam (24 jam).</div>
</div>
{% else %}
<p class="muted">Belum ada portal layanan yang dipantau.</p>
{% endfor %}

{% if maintenance %}
<h2>Pemeliharaan terjadwal</h2>
<div class="scroll"><table>
<tr><th>Cakupan</th><th>Mulai</th><th>Selesai</th><th>Keterangan</th></tr>
{% for m in maintenance %}
<tr><td>{{ m.target }}</td><td>{{ m.window.starts_at|waktu }}</td><td>{{ m.window.ends_at|waktu }}</td><td>{{ m.window.note }}</td></tr>
{% endfor %}
</table></div>
{% endif %}

<h2>Situs unit kerja</h2>
<div class="scroll"><table>
<tr><th>Unit</th><th class="wide">Jenis</th><th class="wide">Situs</th><th>Status</th>{% for w, name in windows.items() %}<th class="num{{ ' wide' if w == '7d' }}">{{ name }}</th>{% endfor %}<th class="wide">Latensi 24 jam</th></tr>
{% for row in units %}
<tr><td>{{ row.site.unit_name }}</td><td class="wide">{{ row.site.unit_kind }}</td><td class="wide url">{{ row.site.url }}</td>
<td><span class="pill {{ row.site.state }}">{{ state_text[row.site.state] }}</span></td>
{% for w in windows %}<td class="num{{ ' wide' if w == '7d' }}">{{ row.site.uptime[w].percent|pct }}</td>{% endfor %}
<td class="wide">{% if row.points %}<svg width="{{ spark_w }}" height="{{ spark_h }}" viewBox="0 0 {{ spark_w }} {{ spark_h }}" role="img" aria-label="Latensi median per jam"><polyline fill="none" stroke="#1565c0" stroke-width="1.2" points="{{ row.points }}"/><title>Latensi median per jam, maks {{ row.max_ms|ms }}</title></svg>{% else %}<span class="muted">–</span>{% endif %}</td></tr>
{% endfor %}
</table></div>

<h2>Ketersediaan menurut jenis unit</h2>
<div class="scroll"><table>
<tr><th>Jenis unit</th><th class="num">Jumlah situs</th>{% for w, name in windows.items() %}<th class="num">{{ name }}</th>{% endfor %}</tr>
{% for k in f.kinds %}
<tr><td>{{ k.kind }}</td><td class="num">{{ k.sites }}</td>{% for w in windows %}<td class="num">{{ k.uptime[w].percent|pct }}</td>{% endfor %}</tr>
{% endfor %}
</table></div>

<h2>Linimasa gangguan (30 hari)</h2>
{% if f.incidents %}
<ul class="timeline">
{% for i in f.incidents %}
<li class="{{ 'ongoing' if not i.ended_at else 'resolved' }}"><strong>{{ i.unit_name }}</strong> – {{ i.label }}<br>
<span class="url muted">{{ i.url }}</span><br>
<span class="muted">{{ i.started_at|waktu }} – {{ i.ended_at|waktu if i.ended_at else 'masih berlangsung' }} ({{ i.duration_s|duration }})</span></li>
{% endfor %}
</ul>
{% else %}<p class="muted">Tidak ada gangguan dalam 30 hari terakhir.</p>{% endif %}

<h2>Sertifikat TLS yang segera kedaluwarsa</h2>
{% if certs %}
<div class="scroll"><table>
<tr><th>Nama host</th><th>Berlaku hingga</th><th class="num">Sisa</th></tr>
{% for c in certs %}<tr><td class="url">{{ c.host }}</td><td>{{ c.cert_expires_at|tanggal }}</td><td class="num">{{ c.cert_days_left|cert }}</td></tr>{% endfor %}
</table></div>
{% else %}<p class="muted">Tidak ada sertifikat yang kedaluwarsa dalam {{ cert_horizon }} hari.</p>{% endif %}

<p class="muted">Dibuat oleh spbe-crawler. Halaman ini statis dan dapat diterbitkan apa adanya; lencana status tiap situs ada di folder <code>badge/</code>.</p>
</body>
</html>
"""
