from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = '_addresses.html.j2'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_order = resolve('order')
    try:
        t_1 = environment.filters['address_lines']
    except KeyError:
        @internalcode
        def t_1(*unused):
            raise TemplateRuntimeError("No filter named 'address_lines' found.")
    try:
        t_2 = environment.filters['trim']
    except KeyError:
        @internalcode
        def t_2(*unused):
            raise TemplateRuntimeError("No filter named 'trim' found.")
    pass
    yield '<table role="presentation" cellpadding="0" cellspacing="0" border="0" width="100%" style="width:100%; margin-top:32px; font-family:Helvetica,Arial,sans-serif; font-size:14px;">\n  <tr>\n    <td valign="top" width="50%" style="padding:0 8px 0 0; vertical-align:top;">\n      <h2 style="margin:0 0 12px; font-size:18px; font-weight:bold; line-height:1.3; color:#7f54b3;">Billing address</h2>\n      <p style="margin:0; padding:12px; border:1px solid #e5e5e5; line-height:1.6; color:#636363;">\n'
    t_3 = []
    pass
    l_2_loop = missing
    for l_2_line, l_2_loop in LoopContext(t_1(environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'billing')), undefined):
        _loop_vars = {}
        pass
        t_3.append(
            escape(l_2_line),
        )
        if ((not environment.getattr(l_2_loop, 'last')) or environment.getattr(environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'billing'), 'email')):
            pass
            t_3.append(
                '<br>',
            )
        t_3.append(
            '\n',
        )
    l_2_loop = l_2_line = missing
    if environment.getattr(environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'billing'), 'email'):
        pass
        t_3.extend((
            '<a href="mailto:',
            escape(environment.getattr(environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'billing'), 'email')),
            '" style="color:#7f54b3;">',
            escape(environment.getattr(environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'billing'), 'email')),
            '</a>\n',
        ))
    yield t_2(Markup(concat(t_3)))
    yield '\n      </p>\n    </td>\n'
    if environment.getattr(environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'shipping'), 'address_1'):
        pass
        yield '    <td valign="top" width="50%" style="padding:0 0 0 8px; vertical-align:top;">\n      <h2 style="margin:0 0 12px; font-size:18px; font-weight:bold; line-height:1.3; color:#7f54b3;">Shipping address</h2>\n      <p style="margin:0; padding:12px; border:1px solid #e5e5e5; line-height:1.6; color:#636363;">\n'
        t_4 = []
        pass
        l_2_loop = missing
        for l_2_line, l_2_loop in LoopContext(t_1(environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'shipping')), undefined):
            _loop_vars = {}
            pass
            t_4.append(
                escape(l_2_line),
            )
            if ((not environment.getattr(l_2_loop, 'last')) or environment.getattr(environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'shipping'), 'email')):
                pass
                t_4.append(
                    '<br>',
                )
            t_4.append(
                '\n',
            )
        l_2_loop = l_2_line = missing
        if environment.getattr(environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'shipping'), 'email'):
            pass
            t_4.extend((
                '<a href="mailto:',
                escape(environment.getattr(environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'shipping'), 'email')),
                '" style="color:#7f54b3;">',
                escape(environment.getattr(environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'shipping'), 'email')),
                '</a>\n',
            ))
        yield t_2(Markup(concat(t_4)))
        yield '\n      </p>\n    </td>\n'
    yield '  </tr>\n</table>\n'

blocks = {}
debug_info = '9=28&10=32&12=43&13=47&8=52&18=54&23=60&24=64&26=75&27=79&22=84'