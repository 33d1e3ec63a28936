from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = '_tracking.html.j2'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_order = resolve('order')
    try:
        t_1 = environment.filters['date']
    except KeyError:
        @internalcode
        def t_1(*unused):
            raise TemplateRuntimeError("No filter named 'date' found.")
    try:
        t_2 = environment.filters['title']
    except KeyError:
        @internalcode
        def t_2(*unused):
            raise TemplateRuntimeError("No filter named 'title' found.")
    pass
    if environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'tracking'):
        pass
        yield '<h2 style="margin:32px 0 12px; font-size:18px; font-weight:bold; line-height:1.3; color:#7f54b3;">Tracking</h2>\n<table cellpadding="0" cellspacing="0" border="0" width="100%" style="width:100%; border-collapse:collapse; border:1px solid #e5e5e5; font-family:Helvetica,Arial,sans-serif; font-size:14px;">\n'
        for l_1_t in environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'tracking'):
            _loop_vars = {}
            pass
            yield '  <tr>\n    <td style="padding:10px 12px; border:1px solid #e5e5e5; color:#636363;"><strong style="color:#3c3c3c;">'
            yield escape(t_2(environment.getattr(l_1_t, 'carrier')))
            yield '</strong><br>'
            yield escape(environment.getattr(l_1_t, 'number'))
            if environment.getattr(l_1_t, 'shipped_on'):
                pass
                yield '<br><span style="font-size:12px; color:#8a8a8a;">Shipped on '
                yield escape(t_1(context, environment.getattr(l_1_t, 'shipped_on')))
                yield '</span>'
            yield '</td>\n    <td align="right" style="padding:10px 12px; border:1px solid #e5e5e5; text-align:right; white-space:nowrap;">'
            if (environment.getattr(l_1_t, 'url') and environment.call(context, environment.getattr(environment.getattr(l_1_t, 'url'), 'startswith'), ('https://', 'http://'), _loop_vars=_loop_vars)):
                pass
                yield '<a href="'
                yield escape(environment.getattr(l_1_t, 'url'))
                yield '" style="display:inline-block; padding:8px 16px; background-color:#7f54b3; border-radius:3px; color:#ffffff; font-weight:bold; text-decoration:none;">Track</a>'
            yield '</td>\n  </tr>\n'
        l_1_t = missing
        yield '</table>\n'

blocks = {}
debug_info = '2=24&5=27&7=31&8=40'