"""The weekly executive report: figures, charts, HTML and PDF, email.

    config   pure: the [report] table of monitor.toml (ReportSettings)
    data     the week's figures from the store (same queries as the dashboard)
    charts   matplotlib charts as PNG images
    render   HTML (Jinja2) and PDF (WeasyPrint) from the figures and charts
    deliver  email with the PDF and HTML attached, through apprise
    service  make_report(...): the above, in order; the CLI and the scheduler call it

Importing this package loads nothing heavy; matplotlib and WeasyPrint are imported
when a report is built.
"""
