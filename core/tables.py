import django_tables2 as tables


class KrdsTable(tables.Table):
    """Base for every staff and merchant list: KRDS table look, Korean empty text, 25 rows a page."""

    class Meta:
        abstract = True
        template_name = "tables/krds_table.html"
        attrs = {"class": "tbl col data"}
        per_page = 25
        empty_text = "표시할 항목이 없습니다."
