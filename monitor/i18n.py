"""Every word Escucha shows people (dashboard and weekly report), in Spanish and English,
and number formats for each.

``tr(lang)`` returns a :class:`Tr` for one language; ``tr("es").t("volume_title")``.
Labels for data values (sentiments, emotions, languages, column names) come from
:meth:`Tr.value` so no raw identifier ever reaches the page.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

LANGS = {"es": "Español", "en": "English"}
DEFAULT_LANG = "es"

TEXT: dict[str, tuple[str, str]] = {
    # app and sidebar
    "app_title": ("Escucha · percepción de marca", "Escucha · brand perception"),
    "page_live": ("En directo", "Live"),
    "page_queue": ("Respuesta rápida", "Rapid response"),
    "page_weekly": ("Tendencias semanales", "Weekly trends"),
    "language": ("Idioma", "Language"),
    "filters": ("Filtros", "Filters"),
    "brand": ("Marca", "Brand"),
    "period": ("Periodo", "Period"),
    "dates": ("Fechas", "Dates"),
    "source": ("Fuente", "Source"),
    "channel": ("Canal", "Channel"),
    "category": ("Categoría", "Category"),
    "sentiment": ("Sentimiento", "Sentiment"),
    "emotion": ("Emoción", "Emotion"),
    "all": ("Todas", "All"),
    "last_n_days": ("Últimos {n} días", "Last {n} days"),
    "last_day": ("Último día", "Last day"),
    "custom": ("Personalizado", "Custom"),
    "auto_refresh": ("Actualizar sola", "Refresh automatically"),
    "auto_refresh_help": (
        "Mientras `monitor run` recoge publicaciones, la página se actualiza cada {s} s.",
        "While `monitor run` collects posts, the page refreshes every {s} s.",
    ),
    "updated": ("Datos hasta {when} (UTC)", "Data up to {when} (UTC)"),
    "never": ("nunca", "never"),
    "sources_ok": ("Fuentes: {n}, todas funcionan.", "Sources: {n}, all working."),
    "source_failing": (
        "La fuente {name} falla ({n} intentos seguidos; último éxito: {when}). Puede "
        "faltar lo publicado desde entonces. Error: {error}",
        "Source {name} is failing ({n} runs in a row; last success: {when}). Posts "
        "since then may be missing. Error: {error}",
    ),
    "source_nothing_fetched": (
        "La fuente {name} funciona pero no ha traído nada en {n} ejecuciones: revisa su "
        "dirección, el id de la app o la búsqueda.",
        "Source {name} works but has brought nothing in {n} runs: check its address, app id "
        "or query.",
    ),
    "source_nothing_matched": (
        "La fuente {name} trae publicaciones, pero en {n} ejecuciones ninguna mencionaba una "
        "marca: revisa los nombres y los idiomas de las marcas.",
        "Source {name} brings posts, but in {n} runs none mentioned a brand: check the "
        "brands' names and languages.",
    ),
    "empty_title": ("Todavía no hay publicaciones", "No posts yet"),
    "empty_body": (
        "Recoge publicaciones y clasifícalas; esta página se llenará sola:\n\n"
        "- `monitor collect` y `monitor classify` una vez, o `monitor run` para seguir recogiendo\n"
        "- `monitor demo` para probar con los datos de ejemplo",
        "Collect some posts and classify them; this page fills itself in:\n\n"
        "- `monitor collect` then `monitor classify` once, or `monitor run` to keep collecting\n"
        "- `monitor demo` to try the bundled example data",
    ),
    "no_match": (
        "Ninguna publicación coincide con estos filtros. Amplía el periodo o quita algún filtro.",
        "No post matches these filters. Widen the period or remove a filter.",
    ),
    "store_error": ("No se puede leer la base de datos", "Cannot read the database"),
    # live
    "live_title": ("Qué se dice ahora", "What people are saying now"),
    "kpi_posts": ("Menciones", "Mentions"),
    "kpi_net": ("Sentimiento neto", "Net sentiment"),
    "kpi_positive": ("Positivas", "Positive"),
    "kpi_negative": ("Negativas", "Negative"),
    "kpi_pending": ("Sin clasificar", "Not classified yet"),
    "net_formula": (
        "Sentimiento neto = (P − N) / (P + N) × 100, donde P y N son las menciones positivas y "
        "negativas: +100 si todas son positivas, −100 si todas son negativas; las neutras no "
        "lo mueven. Las publicaciones repetidas en varias fuentes cuentan una vez y las "
        "correcciones del equipo sustituyen a la etiqueta del modelo.",
        "Net sentiment = (P − N) / (P + N) × 100, where P and N are the positive and negative "
        "mentions: +100 when all are positive, −100 when all are negative; neutral ones do "
        "not move it. Posts repeated across sources count once, and the team's corrections "
        "replace the model's label.",
    ),
    "volume_title": ("Menciones por {unit}", "Mentions per {unit}"),
    "unit_day": ("día", "day"),
    "unit_hour": ("hora", "hour"),
    "sentiment_title": ("Menciones por sentimiento", "Mentions by sentiment"),
    "net_title": (
        "Sentimiento neto por {unit} (−100 a +100)",
        "Net sentiment per {unit} (−100 to +100)",
    ),
    "emotion_title": ("Qué emociones expresan", "Which emotions people express"),
    "by_source_title": ("Sentimiento por fuente y canal", "Sentiment by source and channel"),
    "breakdown_rest": ("Resto", "All others"),
    "reply_title": ("Respuesta sugerida", "Suggested reply"),
    "reply_press": (
        "Lo publica un medio o un periodista (un canal sin seguimiento de autores, "
        "`untracked_channels` o `track_authors = false`): no le va una respuesta de atención "
        "al cliente; que lo lleve prensa.",
        "Published by a news outlet or a journalist (a channel whose authors are not followed, "
        "`untracked_channels` or `track_authors = false`): a customer-care reply does not "
        "fit; hand it to press relations.",
    ),
    "reply_caption": (
        "Borrador para la emoción «{emotion}» · idioma: {language}. Revísalo y envíalo tú "
        "desde la red donde se publicó; los textos se cambian en [replies] de monitor.toml.",
        "Draft for the emotion “{emotion}” · language: {language}. Check it, then send it "
        "yourself where the post was published; change the texts under [replies] in "
        "monitor.toml.",
    ),
    "alert_marks": ("Alertas", "Alerts"),
    "alert_mark": ("Alerta", "Alert"),
    "alert_mark_severity": ("Gravedad", "Severity"),
    "by_language_title": ("Sentimiento por idioma", "Sentiment by language"),
    "latest_title": ("Últimas publicaciones", "Latest posts"),
    "open_original": ("Abrir", "Open"),
    # queue
    "queue_title": (
        "Negativas por responder, lo más urgente primero",
        "Negative posts to answer, most urgent first",
    ),
    # the queue's window (monitor.insights.queue.queue_filters): the period's last 7 days
    "kpi_open": ("Abiertas (periodo, máx. 7 días)", "Open (period, up to 7 days)"),
    "kpi_awaiting": ("Sin ninguna respuesta", "With no response yet"),
    "kpi_median": ("Mediana hasta 1.ª respuesta", "Median time to first response"),
    "kpi_p90": ("P90 hasta 1.ª respuesta", "P90 time to first response"),
    "kpi_responded": ("{n} respondidas en el periodo", "{n} responded in the period"),
    "urgency_formula": (
        "Urgencia (0–100) = 100 × confianza negativa × (0,5 + 0,5 × prob. de ira) × "
        "(0,5 + 0,5 × alcance) × 0,5^(horas / 24). Alcance = log10(1 + lectores) / 5, hasta 1 "
        "(lectores = alcance de la fuente, o 10 × interacciones). La urgencia se reduce a la "
        "mitad cada 24 h. Una reseña pesa además según sus estrellas: × (6 − estrellas) / 5; "
        "una de 1 o 2 estrellas entra en la cola aunque el modelo no la lea negativa (con "
        "confianza (3 − estrellas) / 2). "
        "Si el autor ya se había quejado de la marca otros días de los 90 anteriores, × 1,5 "
        "(un día) o × 2 (dos o más), hasta 100: es quien está más cerca de irse. "
        "Tiempo de respuesta = desde que se recogió hasta la primera asignación, nota o cierre.",
        "Urgency (0–100) = 100 × negative confidence × (0.5 + 0.5 × anger prob.) × "
        "(0.5 + 0.5 × audience) × 0.5^(hours / 24). Audience = log10(1 + readers) / 5, at most 1 "
        "(readers = the source's reach, or 10 × interactions). Urgency halves every 24 h. "
        "A review also weighs by its stars: × (6 − stars) / 5; one of 1 or 2 stars is in the "
        "queue even when the model does not read it as negative (with confidence "
        "(3 − stars) / 2). "
        "When the author had already complained about the brand on other days of the 90 "
        "before, × 1.5 (one day) or × 2 (two or more), at most 100: they are the closest to "
        "leaving. "
        "Response time = from collection to the first assignment, note or close.",
    ),
    "repeat_note": (
        "{author} ya se había quejado de {brand} {n} {times} en los 90 días anteriores, en "
        "otros días (urgencia × {factor}).",
        "{author} had already complained about {brand} {n} {times} in the 90 days before, on "
        "other days (urgency × {factor}).",
    ),
    "times_one": ("vez", "time"),
    "times_many": ("veces", "times"),
    "repeat_title": ("Quién vuelve a quejarse", "Who complains again"),
    "repeat_caption": (
        "Autores que se quejaron en el periodo y se han quejado de la misma marca en la misma "
        "fuente (publicaciones negativas o reseñas de 1–2 estrellas) en dos o más días "
        "distintos de los 90 hasta su final; varias quejas el mismo día (UTC) cuentan como una. "
        "Sus nuevas quejas suben en la cola. Un autor es quien la fuente nombra: casi siempre "
        "un cliente, a veces un periodista o un medio que vuelve sobre la marca. La mayoría de los clientes descontentos no se quejan "
        "nunca: quien lo hace varias veces aún espera una respuesta.",
        "Authors who complained in the period and have complained about the same brand at the "
        "same source (negative posts or 1–2-star reviews) on two or more different days of the "
        "90 up to its end; complaints on the same day (UTC) count as one. Their new complaints "
        "move up the queue. An author is whoever the source names: nearly always a customer, "
        "sometimes a journalist or an outlet coming back to the brand. Most unhappy customers never complain: one who does it again is "
        "still waiting for an answer.",
    ),
    "repeat_none": (
        "Nadie que se quejó en el periodo se había quejado antes en los 90 días previos.",
        "Nobody who complained in the period had complained before in the 90 days before.",
    ),
    "queue_empty": (
        "Nada pendiente: no hay publicaciones negativas abiertas. 🎉",
        "Nothing pending: no open negative posts. 🎉",
    ),
    "stories_title": ("Historias por orden de urgencia", "Stories in order of urgency"),
    "pick_story": ("Historia", "Story"),
    "story_label": (
        "#{rank} · urgencia {urgency} · {n} {posts} · {brand} · {sources}",
        "#{rank} · urgency {urgency} · {n} {posts} · {brand} · {sources}",
    ),
    "posts_one": ("publ.", "post"),
    "posts_many": ("publ.", "posts"),
    "story_posts_title": ("Publicaciones de esta historia", "Posts in this story"),
    "actions_title": ("Qué hacer con esta historia", "What to do with this story"),
    "your_name": ("Tu nombre", "Your name"),
    "assign_to": ("Asignar a", "Assign to"),
    "assign": ("Asignar", "Assign"),
    "note": ("Nota", "Note"),
    "handle": ("Marcar como atendida", "Mark as handled"),
    "correct_title": ("Corregir la etiqueta", "Correct the label"),
    "save_correction": ("Guardar corrección", "Save correction"),
    "whole_story": (
        "Aplicar a las {n} publicaciones de la historia",
        "Apply to all {n} posts of the story",
    ),
    "done_assign": ("Asignada a {who}.", "Assigned to {who}."),
    "done_handle": ("Marcada como atendida.", "Marked as handled."),
    "done_correct": (
        "Corrección guardada; las cifras ya la usan.",
        "Correction saved; the figures now use it.",
    ),
    "need_name": ("Escribe a quién asignarla.", "Type who to assign it to."),
    "minutes": ("{v} min", "{v} min"),
    "hours": ("{v} h", "{v} h"),
    # weekly
    "weekly_title": ("Resumen semanal", "Weekly summary"),
    "weeks_shown": ("Semanas", "Weeks"),
    "week_kind": ("Tipo de semana", "Kind of week"),
    "week_kind_rolling": ("Últimos 7 días", "Last 7 days"),
    "week_kind_calendar": ("De lunes a domingo", "Monday to Sunday"),
    "week_caption_rolling": (
        "Semanas de 7 días que terminan el {end}; la última es la semana actual.",
        "7-day weeks ending on {end}; the last one is this week.",
    ),
    "week_caption_calendar": (
        "Semanas naturales, de lunes a domingo, como las del informe semanal en PDF; la "
        "última termina el {end} y puede estar aún en curso.",
        "Calendar weeks, Monday to Sunday, as in the weekly PDF report; the last one ends on "
        "{end} and may still be under way.",
    ),
    "kpi_week_posts": ("Menciones esta semana", "Mentions this week"),
    "kpi_week_net": ("Sentimiento neto", "Net sentiment"),
    "kpi_week_negative": ("Negativas", "Negative"),
    "week_reviews": (
        "Reseñas con estrellas esta semana: {n}, valoración media {mean} ★ ({before}).",
        "Reviews with stars this week: {n}, average rating {mean} ★ ({before}).",
    ),
    "week_reviews_before": ("{mean} ★ la semana anterior", "{mean} ★ the week before"),
    "week_reviews_none_before": ("sin reseñas la semana anterior", "no reviews the week before"),
    "kpi_sov": ("Cuota de voz de {brand}", "{brand}'s share of voice"),
    "vs_last_week": ("vs. semana anterior", "vs. last week"),
    "points": ("{v} pts", "{v} pts"),
    "weekly_volume_title": ("Menciones por semana", "Mentions per week"),
    "weekly_net_title": ("Sentimiento neto por semana", "Net sentiment per week"),
    "weekly_emotion_title": (
        "Emociones de cada semana (% de las menciones)",
        "Emotions each week (% of mentions)",
    ),
    "sov_title": (
        "Cuota de voz frente a la competencia (% de menciones)",
        "Share of voice against competitors (% of mentions)",
    ),
    "sov_missing": (
        "Para ver la cuota de voz, nombra competidores en monitor.toml "
        '(`competitors = ["Otra marca"]`) y recoge también sus menciones.',
        "To see share of voice, name competitors in monitor.toml "
        '(`competitors = ["Other brand"]`) and collect their mentions too.',
    ),
    "by_category_title": (
        "De qué hablan: sentimiento por categoría",
        "What people talk about: sentiment by category",
    ),
    "category_caption": (
        "Categorías por palabras clave (facturación, entregas, atención…; se cambian en "
        "[categories] de monitor.toml). Una publicación puede estar en varias o en ninguna: "
        "{n} de {total} están en alguna.",
        "Keyword categories (billing, delivery, customer service…; change them under "
        "[categories] in monitor.toml). A post can be in several or in none: {n} of "
        "{total} are in one.",
    ),
    "complaints_title": (
        "Por qué se quejan: negativas por categoría",
        "Why customers complain: negative posts by category",
    ),
    "complaints_caption": (
        "Publicaciones negativas de esta semana en cada categoría frente a la semana anterior; "
        "el % es sobre todas las negativas de la semana (una publicación puede contar en varias).",
        "This week's negative posts in each category against the week before; the % is of all "
        "the week's negative posts (a post can count in several).",
    ),
    "complaints_empty": (
        "Ninguna negativa de estas dos semanas encaja en una categoría.",
        "No negative post of these two weeks falls in a category.",
    ),
    "owner_hint": (
        "Sugerido por la categoría «{category}» (owner en [categories] de monitor.toml).",
        "Suggested by the category \u201c{category}\u201d (owner under [categories] in "
        "monitor.toml).",
    ),
    "yes": ("sí", "yes"),
    "export_csv": ("Descargar CSV", "Download CSV"),
    "export_help": (
        "Las {n} publicaciones más recientes con estos filtros, con sus etiquetas y categorías.",
        "The newest {n} posts matching these filters, with their labels and categories.",
    ),
    "complaint_trend_title": (
        "Quejas por categoría, semana a semana (las cinco con más)",
        "Complaints per category, week by week (the five with most)",
    ),
    "this_week": ("Esta semana", "This week"),
    "previous_week": ("Semana anterior", "Week before"),
    "themes_title": (
        "Temas negativos que más crecen esta semana",
        "Negative themes growing most this week",
    ),
    "themes_caption": (
        "Palabras y expresiones más frecuentes en las menciones negativas de esta semana que en "
        "las de las tres anteriores; entre paréntesis, otras que salen sobre todo en las mismas "
        "publicaciones (una misma queja).",
        "Words and phrases more frequent in this week's negative mentions than in the three "
        "weeks before; in brackets, others found mostly in the same posts (one complaint).",
    ),
    "themes_empty": (
        "No hay suficientes menciones negativas esta semana para ver temas.",
        "Not enough negative mentions this week to find themes.",
    ),
    "most_read_title": (
        "Negativas más leídas de la semana",
        "Most-read negative posts of the week",
    ),
    "most_read_empty": (
        "Ninguna fuente informa del alcance o las interacciones de las negativas de esta semana.",
        "No source reports reach or engagement for this week's negative posts.",
    ),
    "wow_table_title": ("Semana a semana", "Week over week"),
    # alerts page
    "page_alerts": ("Alertas", "Alerts"),
    "alerts_title": ("Alertas de boca a boca negativo", "Negative word-of-mouth alerts"),
    "alerts_show": ("Mostrar", "Show"),
    "alerts_active": ("Activas", "Active"),
    "alerts_all": ("Todas", "All"),
    "kpi_alerts_open": ("Abiertas", "Open"),
    "kpi_alerts_ack": ("Reconocidas", "Acknowledged"),
    "kpi_alerts_critical": ("Críticas activas", "Critical, active"),
    "kpi_alerts_failed": ("Envíos fallidos", "Failed deliveries"),
    "alerts_none": (
        "No hay alertas. `monitor run` comprueba las reglas cada pocos minutos "
        "(o `monitor alerts check`).",
        "No alerts. `monitor run` checks the rules every few minutes (or `monitor alerts check`).",
    ),
    "alerts_none_active": (
        "No hay alertas activas; {n} ya están cerradas: elige «Todas» para verlas.",
        "No active alerts; {n} are resolved: choose “All” to see them.",
    ),
    "alert_pick": ("Alerta", "Alert"),
    "alert_why": ("Por qué", "Why"),
    "alert_posts": ("Publicaciones detrás de la alerta", "Posts behind the alert"),
    "alert_posts_gone": (
        "Publicaciones de esta alerta que ya no están en la base de datos: {n} de {total}.",
        "Posts of this alert no longer in the database: {n} of {total}.",
    ),
    "alert_first_seen": ("Primera vez", "First seen"),
    "alert_last_seen": ("Última vez", "Last seen"),
    "alert_times_seen": ("Veces vista", "Times seen"),
    "alert_delivery": ("Envío", "Delivery"),
    "alert_sent": ("enviada", "sent"),
    "alert_failed": ("falló: {error}", "failed: {error}"),
    "alert_pending_delivery": ("pendiente", "pending"),
    "alert_no_channels": ("sin canales", "no channels"),
    "alert_acknowledge": ("Reconocer", "Acknowledge"),
    "alert_resolve": ("Cerrar", "Resolve"),
    "alert_done_ack": ("Alerta #{id} reconocida.", "Alert #{id} acknowledged."),
    "alert_done_resolve": ("Alerta #{id} cerrada.", "Alert #{id} resolved."),
    "alert_by": ("{status} por {who} el {when} UTC", "{status} by {who} on {when} UTC"),
    "alert_by_auto": (
        "Cerrada automáticamente el {when} UTC: la regla dejó de dispararse.",
        "Resolved automatically on {when} UTC: the rule stopped firing.",
    ),
    "alert_need_name": (
        "Escribe tu nombre: queda registrado quién atendió la alerta.",
        "Type your name: who handled the alert is recorded.",
    ),
    # weekly executive report (monitor report)
    "report_title": ("Informe semanal de percepción", "Weekly perception report"),
    "report_subtitle": (
        "{brands} · semana del {start} al {end} ({week})",
        "{brands} · week of {start} to {end} ({week})",
    ),
    "report_all_brands": ("Todas las marcas", "All brands"),
    "report_generated": (
        "Generado el {when} UTC por Escucha a partir de {posts} menciones.",
        "Generated on {when} UTC by Escucha from {posts} mentions.",
    ),
    "report_summary": ("En resumen", "At a glance"),
    "report_kpi_posts": ("Menciones", "Mentions"),
    "report_kpi_net": ("Sentimiento neto", "Net sentiment"),
    "report_kpi_negative": ("Menciones negativas", "Negative mentions"),
    "report_kpi_rating": ("Valoración media ({n} reseñas)", "Average rating ({n} reviews)"),
    "report_kpi_sov": ("Cuota de voz de {brand}", "{brand} share of voice"),
    "report_kpi_alerts": ("Alertas", "Alerts"),
    "report_vs_last": ("{v} frente a la semana anterior", "{v} vs the week before"),
    "report_no_previous": ("sin semana anterior", "no previous week"),
    "report_alerts_kpi_detail": (
        "{open} sin cerrar; primera respuesta en {ack} (mediana)",
        "{open} still open; first response in {ack} (median)",
    ),
    "report_alerts_kpi_unanswered": (
        "{open} sin cerrar; ninguna atendida por el equipo",
        "{open} still open; none acknowledged by the team",
    ),
    "report_headline_up": (
        "El sentimiento neto subió {v} puntos, hasta {net}.",
        "Net sentiment rose {v} points, to {net}.",
    ),
    "report_headline_down": (
        "El sentimiento neto bajó {v} puntos, hasta {net}.",
        "Net sentiment fell {v} points, to {net}.",
    ),
    "report_headline_flat": (
        "El sentimiento neto se mantuvo en {net}.",
        "Net sentiment held at {net}.",
    ),
    "report_headline_volume": (
        "Las menciones {direction} un {v} ({posts} en total).",
        "Mentions {direction} {v} ({posts} in all).",
    ),
    "report_up": ("crecieron", "grew"),
    "report_down": ("cayeron", "fell"),
    "report_headline_theme": (
        "Lo que más se repite en las quejas: «{theme}».",
        "What complaints repeat most: \u201c{theme}\u201d.",
    ),
    "report_headline_emotion": (
        "La emoción que más creció: {emotion} ({v}).",
        "The emotion that grew most: {emotion} ({v}).",
    ),
    "report_net_axis": ("Sentimiento neto", "Net sentiment"),
    "report_share_axis": ("% de las menciones", "% of mentions"),
    "report_last_week": ("semana anterior", "previous week"),
    "report_weekdays": ("lun mar mié jue vie sáb dom", "Mon Tue Wed Thu Fri Sat Sun"),
    "report_chart_weekly": (
        "Menciones y sentimiento neto, últimas semanas",
        "Mentions and net sentiment, recent weeks",
    ),
    "report_chart_daily": ("La semana día a día", "The week day by day"),
    "report_chart_emotions": ("Mezcla de emociones", "Emotion mix"),
    "report_chart_sov": ("Cuota de voz", "Share of voice"),
    "report_sov_missing": (
        "Ninguna marca del informe nombra competidores (competitors en monitor.toml).",
        "No brand in the report names competitors (competitors in monitor.toml).",
    ),
    "report_complaints": ("Por qué se quejan", "Why customers complain"),
    "report_complaints_caption": (
        "Menciones negativas de la semana en cada categoría (facturación, entregas, atención…) "
        "y su cambio frente a la semana anterior; una mención puede estar en varias.",
        "The week's negative mentions in each category (billing, delivery, customer "
        "service…) and the change against the week before; a mention can be in several.",
    ),
    "report_complaints_empty": (
        "Ninguna mención negativa de la semana encaja en una categoría.",
        "No negative mention of the week falls in a category.",
    ),
    "report_category_change": ("{v} (antes {before})", "{v} (was {before})"),
    "report_headline_category": (
        "Lo que más motiva las quejas: {category} ({n} menciones negativas).",
        "What most complaints are about: {category} ({n} negative mentions).",
    ),
    "report_themes": ("Temas de las quejas", "Themes of the complaints"),
    "report_themes_caption": (
        "Palabras y expresiones más frecuentes en las menciones negativas de la semana que "
        "en las tres anteriores (debajo, otras que salen sobre todo en las mismas "
        "publicaciones), con la queja más leída que las contiene.",
        "Words and phrases more frequent in the week's negative mentions than in the three "
        "weeks before (below each, others found mostly in the same posts), each with the "
        "most-read complaint that contains it.",
    ),
    "report_themes_empty": (
        "No hay temas nuevos en las quejas de esta semana.",
        "No new themes in this week's complaints.",
    ),
    "report_theme_share": (
        "{v} de las negativas (antes {before})",
        "{v} of negatives (before {before})",
    ),
    "report_most_read": ("Quejas más leídas", "Most-read complaints"),
    "report_most_read_empty": (
        "Ninguna fuente informó de alcance o interacciones de las quejas de esta semana.",
        "No source reported reach or engagement for this week's complaints.",
    ),
    "report_alerts": ("Alertas de la semana y tiempo de respuesta", "Alerts and response times"),
    "report_alerts_empty": (
        "No se abrió ninguna alerta esta semana.",
        "No alert was raised this week.",
    ),
    "report_alert_raised": ("Abierta", "Raised"),
    "report_alert_ack": ("Atendida en", "Handled in"),
    "report_alert_resolved": ("Cerrada en", "Resolved in"),
    "report_pending": ("pendiente", "pending"),
    "report_auto_resolved": ("se cerró sola", "closed by itself"),
    "report_queue": (
        "Cola de respuesta: {responded} quejas respondidas (mediana {median}, p90 {p90}); "
        "{awaiting} de {open} negativas siguen sin respuesta.",
        "Response queue: {responded} complaints answered (median {median}, p90 {p90}); "
        "{awaiting} of {open} negative posts still await an answer.",
    ),
    "report_repeat": (
        "Quién vuelve a quejarse: {n} de quienes se quejaron esta semana ya lo habían hecho "
        "otro día de los 90 anteriores (días con quejas: {named}). La mayoría de los descontentos "
        "no se queja nunca; quien insiste es quien está más cerca de irse.",
        "Who complains again: {n} of those who complained this week had already complained "
        "on another day of the 90 before (days with complaints: {named}). Most unhappy customers "
        "never complain; the ones who keep at it are the closest to leaving.",
    ),
    "report_repeat_none": (
        "Nadie que se quejó esta semana se había quejado antes en los últimos 90 días.",
        "Nobody who complained this week had complained before in the last 90 days.",
    ),
    "report_empty": (
        "No hubo menciones de estas marcas en la semana.",
        "There were no mentions of these brands this week.",
    ),
    "report_footer": (
        "Etiquetas del modelo {model} salvo correcciones del equipo. Las publicaciones "
        "repetidas en varias fuentes cuentan una vez. Sentimiento neto = (P − N) / (P + N) × 100.",
        "Labels from model {model} except where the team corrected them. Posts repeated across "
        "sources count once. Net sentiment = (P − N) / (P + N) × 100.",
    ),
    "report_email_intro": (
        "Adjunto el informe semanal de percepción ({week}) en PDF y HTML.",
        "Attached: the weekly perception report ({week}) as PDF and HTML.",
    ),
    "report_email_link": (
        "Ver las tendencias semanales en el panel",
        "See the weekly trends in the dashboard",
    ),
    "report_rule": ("Regla", "Rule"),
    "report_severity": ("Gravedad", "Severity"),
    "report_alert": ("Alerta", "Alert"),
}

VALUES: dict[str, dict[str, tuple[str, str]]] = {
    "sentiment": {
        "negative": ("Negativo", "Negative"),
        "neutral": ("Neutro", "Neutral"),
        "positive": ("Positivo", "Positive"),
        "pending": ("Sin clasificar", "Not classified"),
    },
    "emotion": {
        "anger": ("Ira", "Anger"),
        "disgust": ("Asco", "Disgust"),
        "fear": ("Miedo", "Fear"),
        "joy": ("Alegría", "Joy"),
        "sadness": ("Tristeza", "Sadness"),
        "surprise": ("Sorpresa", "Surprise"),
        "other": ("Otra / ninguna", "Other / none"),
        "pending": ("Sin clasificar", "Not classified"),
    },
    "language": {  # every other code is named by CLDR (babel): see language_name()
        "unknown": ("Desconocido", "Unknown"),
    },
    "rule": {
        "negative_spike": ("Pico negativo", "Negative spike"),
        "category_spike": ("Pico en una categoría", "Category spike"),
        "high_impact": ("Alto impacto", "High impact"),
        "source_health": ("Fuente caída", "Source down"),
    },
    "severity": {
        "warning": ("Aviso", "Warning"),
        "critical": ("Crítica", "Critical"),
    },
    "status": {
        "acknowledged": ("Reconocida", "Acknowledged"),
        "resolved": ("Cerrada", "Resolved"),
        "open": ("Abierta", "Open"),
        "assigned": ("Asignada", "Assigned"),
        "handled": ("Atendida", "Handled"),
    },
    "column": {
        "period": ("Fecha", "Date"),
        "posted_at": ("Publicada", "Posted"),
        "brand": ("Marca", "Brand"),
        "source": ("Fuente", "Source"),
        "where": ("Fuente · canal", "Source · channel"),
        "language": ("Idioma", "Language"),
        "rating": ("Valoración", "Rating"),
        "author": ("Autor", "Author"),
        "text": ("Texto", "Text"),
        "url": ("Original", "Original"),
        "sentiment": ("Sentimiento", "Sentiment"),
        "emotion": ("Emoción", "Emotion"),
        "posts": ("Menciones", "Mentions"),
        "share": ("% del total", "% of total"),
        "net_sentiment": ("Sentimiento neto", "Net sentiment"),
        "positive": ("Positivas", "Positive"),
        "neutral": ("Neutras", "Neutral"),
        "negative": ("Negativas", "Negative"),
        "pending": ("Sin clasificar", "Not classified"),
        "week_start": ("Semana", "Week"),
        "week_end": ("Hasta", "Until"),
        "posts_change": ("Cambio de menciones (%)", "Change in mentions (%)"),
        "net_change": ("Cambio de sentimiento neto (pts)", "Change in net sentiment (pts)"),
        "theme": ("Tema", "Theme"),
        "category": ("Categoría", "Category"),
        "categories": ("Categorías", "Categories"),
        "title": ("Título", "Title"),
        "sentiment_conf": ("Confianza del sentimiento", "Sentiment confidence"),
        "emotion_conf": ("Confianza de la emoción", "Emotion confidence"),
        "corrected": ("Corregida por el equipo", "Corrected by the team"),
        "reach": ("Alcance", "Reach"),
        "engagement": ("Interacciones", "Engagement"),
        "previous": ("Semana anterior", "Week before"),
        "change": ("Cambio", "Change"),
        "previous_share": ("% semanas previas", "% previous weeks"),
        "theme_share": ("% de negativas esta semana", "% of this week's negatives"),
        "audience": ("Lectores (est.)", "Readers (est.)"),
        "urgency": ("Urgencia", "Urgency"),
        "story_rank": ("#", "#"),
        "story_posts": ("Publicaciones", "Posts"),
        "status": ("Estado", "Status"),
        "assignee": ("Asignada a", "Assigned to"),
        "sentiment_label": ("Sentimiento (confianza)", "Sentiment (confidence)"),
        "emotion_label": ("Emoción (confianza)", "Emotion (confidence)"),
        "sources": ("Fuentes", "Sources"),
        "newest": ("Más reciente", "Newest"),
        "focus": ("Marca propia", "Own brand"),
        "complaints": ("Quejas", "Complaints"),
        "occasions": ("Días con quejas", "Days with complaints"),
        "open_complaints": ("Sin atender", "Not handled"),
        "first_at": ("Primera", "First"),
        "last_at": ("Última", "Latest"),
        "last_complaint": ("Última queja", "Latest complaint"),
        "earlier_complaints": ("Quejas previas (90 d)", "Earlier complaints (90 d)"),
    },
}

MONTHS = {
    "es": ("ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sept", "oct", "nov", "dic"),
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
}


def decimal_comma(number_text: str) -> str:
    """An English-formatted number the Spanish way: 1,234.5 -> 1.234,5."""
    return number_text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


@dataclass(frozen=True)
class Tr:
    """Labels and number formats for one language."""

    lang: str

    def t(self, key: str, **kw) -> str:
        es, en = TEXT[key]
        text = es if self.lang == "es" else en
        return text.format(**kw) if kw else text

    def value(self, kind: str, value) -> str:
        """A data value (or a column name with kind="column") in words."""
        if value is None or (isinstance(value, float) and math.isnan(value)):
            value = "unknown" if kind == "language" else "pending"
        pair = VALUES[kind].get(str(value))
        if pair is None:
            return language_name(str(value), self.lang) if kind == "language" else str(value)
        return pair[0] if self.lang == "es" else pair[1]

    def col(self, name: str) -> str:
        return self.value("column", name)

    def number(self, value: float, decimals: int = 0, sign: bool = False) -> str:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return "–"
        if round(value, decimals) == 0:  # "0", not "+0" or "−0"
            value, sign = 0.0, False
        text = f"{value:{'+' if sign else ''},.{decimals}f}"
        return (decimal_comma(text) if self.lang == "es" else text).replace("-", "−")

    def pct(self, value: float, decimals: int = 0, sign: bool = False) -> str:
        n = self.number(value, decimals, sign)
        return n if n == "–" else f"{n} %" if self.lang == "es" else f"{n}%"

    def date(self, when: datetime, with_time: bool = False) -> str:
        month = MONTHS[self.lang][when.month - 1]
        text = f"{when.day} {month}" if self.lang == "es" else f"{month} {when.day}"
        return f"{text} {when:%H:%M}" if with_time else text

    def duration(self, minutes: float) -> str:
        if minutes is None or math.isnan(minutes):
            return "–"
        if minutes < 90:
            return self.t("minutes", v=self.number(minutes))
        return self.t("hours", v=self.number(minutes / 60, 1))


@lru_cache(maxsize=512)
def language_name(code: str, lang: str) -> str:
    """``code``'s language named in ``lang`` ("gl" -> "Gallego" / "Galician"), from the
    Unicode CLDR through babel; the code itself when CLDR does not know it."""
    from babel import Locale, UnknownLocaleError

    from monitor.langid import primary_language

    try:
        name = Locale.parse(lang).languages.get(primary_language(code) or "")
    except (UnknownLocaleError, ValueError):
        name = None
    return name[:1].upper() + name[1:] if name else code


def tr(lang: str) -> Tr:
    return Tr(lang if lang in LANGS else DEFAULT_LANG)
