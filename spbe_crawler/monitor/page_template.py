"""The Jinja2 template of the status page (kept in a module so it ships inside the wheel)."""

from __future__ import annotations

TEMPLATE = """<!DOCTYPE html>
<html lang="id">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Status Layanan Digital – {{ f.scope_name }}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 0 auto; max-width: 1100px; padding: 1rem; color: #222; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.2rem; margin-top: 2rem; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid #eee; vertical-align: top; }
.ok { color: #2e7d32; } .bad { color: #c62828; } .muted { color: #777; font-size: .85rem; }
.portal { border: 1px solid #ddd; border-radius: 6px; padding: .8rem; margin: .8rem 0; }
.portal h3 { margin: 0 0 .3rem; font-size: 1rem; } svg { display: block; margin: .3rem 0; }
</style>
</head>
<body>
<h1>Status Ketersediaan Layanan Digital – {{ f.scope_name }}</h1>
<p class="muted">Diperbarui {{ f.generated_at.strftime('%d-%m-%Y %H:%M') }} UTC.
Ketersediaan dihitung dari probe berkala; insiden dicatat setelah kegagalan dikonfirmasi ulang.</p>

<h2>Portal layanan</h2>
{% for c in charts %}
<div class="portal">
  <h3>{{ c.site.unit_name }} – {% if c.site.url|href %}<a href="{{ c.site.url|href }}">{{ c.site.url }}</a>{% else %}{{ c.site.url }}{% endif %}</h3>
  <div class="{{ 'ok' if up(c.site.last_status) else 'bad' }}">{{ label(c.site.last_status) }}{% if c.site.last_detail %} – {{ c.site.last_detail }}{% endif %}</div>
  <div class="muted">Ketersediaan{% for w, name in windows.items() %} {{ name }}: {{ c.site.uptime[w].percent|pct }}{% if not loop.last %} ·{% endif %}{% endfor %}
   · Latensi 24 jam p50 {{ c.site.p50_ms['24h']|ms }}, p95 {{ c.site.p95_ms['24h']|ms }}
   {% if c.site.cert_expires_at %}· Sertifikat berlaku hingga {{ c.site.cert_expires_at.strftime('%d-%m-%Y') }}{% endif %}</div>
  <svg width="{{ c.width }}" height="{{ bar_h }}" role="img" aria-label="Ketersediaan harian 30 hari">
  {% for b in c.bars %}<rect x="{{ b.x }}" y="{{ '%.1f'|format(b.y) }}" width="8" height="{{ '%.1f'|format(b.height) }}" fill="{{ b.color }}"><title>{{ b.title }}</title></rect>{% endfor %}
  </svg>
  <svg width="{{ c.width }}" height="{{ line_h }}" role="img" aria-label="Latensi median per jam, 24 jam terakhir">
    <polyline fill="none" stroke="#1565c0" stroke-width="1.5" points="{{ c.points }}"/>
    <title>Latensi median per jam (maks {{ c.max_ms|ms }})</title>
  </svg>
  <div class="muted">Batang: ketersediaan per hari (30 hari). Garis: latensi median per jam (24 jam).</div>
</div>
{% else %}
<p class="muted">Belum ada portal layanan yang dipantau.</p>
{% endfor %}

<h2>Ketersediaan menurut jenis unit</h2>
<table>
<tr><th>Jenis unit</th><th>Jumlah situs</th>{% for w, name in windows.items() %}<th>{{ name }}</th>{% endfor %}</tr>
{% for k in f.kinds %}
<tr><td>{{ k.kind }}</td><td>{{ k.sites }}</td>{% for w in windows %}<td>{{ k.uptime[w].percent|pct }}</td>{% endfor %}</tr>
{% endfor %}
</table>

<h2>Insiden 30 hari terakhir</h2>
{% if f.incidents %}
<table>
<tr><th>Situs</th><th>Unit</th><th>Gangguan</th><th>Mulai (UTC)</th><th>Selesai (UTC)</th><th>Durasi</th></tr>
{% for i in f.incidents %}
<tr><td>{{ i.url }}</td><td>{{ i.unit_name }}</td><td>{{ i.label }}{% if i.detail %} – {{ i.detail }}{% endif %}</td>
<td>{{ i.started_at.strftime('%d-%m-%Y %H:%M') }}</td><td>{{ i.ended_at.strftime('%d-%m-%Y %H:%M') if i.ended_at else 'masih berlangsung' }}</td>
<td>{{ i.duration_s|duration }}</td></tr>
{% endfor %}
</table>
{% else %}<p class="muted">Tidak ada insiden.</p>{% endif %}

<h2>Sertifikat TLS yang segera kedaluwarsa</h2>
{% for days in cert_days %}
<p><strong>Dalam {{ days }} hari:</strong>
{% for s in f.certs_expiring[days] %}{{ s.host }} ({{ s.cert_days_left|cert }}){% if not loop.last %}, {% endif %}{% else %}tidak ada{% endfor %}</p>
{% endfor %}

<h2>Situs unit kerja</h2>
<table>
<tr><th>Unit</th><th>Jenis</th><th>Situs</th><th>Status terakhir</th>{% for w, name in windows.items() %}<th>{{ name }}</th>{% endfor %}</tr>
{% for s in units %}
<tr><td>{{ s.unit_name }}</td><td>{{ s.unit_kind }}</td><td>{{ s.url }}</td>
<td class="{{ 'ok' if up(s.last_status) else 'bad' }}">{{ label(s.last_status) }}</td>
{% for w in windows %}<td>{{ s.uptime[w].percent|pct }}</td>{% endfor %}</tr>
{% endfor %}
</table>
<p class="muted">Dibuat oleh spbe-crawler. Halaman ini statis dan dapat diterbitkan apa adanya.</p>
</body>
</html>
"""
