from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = '_order_details.html.j2'

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
        t_2 = environment.filters['money']
    except KeyError:
        @internalcode
        def t_2(*unused):
            raise TemplateRuntimeError("No filter named 'money' found.")
    pass
    yield '<h2 style="margin:24px 0 12px; font-size:18px; font-weight:bold; line-height:1.3; color:#7f54b3;">Order #'
    yield escape(environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'number'))
    yield ' <span style="font-weight:normal; color:#8a8a8a;">('
    yield escape(t_1(context, environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'date_created')))
    yield ')</span></h2>\n<table cellpadding="0" cellspacing="0" border="0" width="100%" style="width:100%; border-collapse:collapse; border:1px solid #e5e5e5; font-family:Helvetica,Arial,sans-serif; font-size:14px;">\n  <thead>\n    <tr>\n      <th scope="col" style="padding:10px 12px; border:1px solid #e5e5e5; vertical-align:middle; text-align:left; font-weight:bold; color:#3c3c3c;">Product</th>\n      <th scope="col" style="padding:10px 12px; border:1px solid #e5e5e5; vertical-align:middle; text-align:center; font-weight:bold; color:#3c3c3c;">Quantity</th>\n      <th scope="col" style="padding:10px 12px; border:1px solid #e5e5e5; vertical-align:middle; text-align:right; font-weight:bold; color:#3c3c3c;">Price</th>\n    </tr>\n  </thead>\n  <tbody>\n'
    for l_1_item in environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'line_items'):
        _loop_vars = {}
        pass
        yield '    <tr>\n      <td style="padding:10px 12px; border:1px solid #e5e5e5; vertical-align:middle; text-align:left; color:#636363;">'
        yield escape(environment.getattr(l_1_item, 'name'))
        if environment.getattr(l_1_item, 'sku'):
            pass
            yield '<br><span style="font-size:12px; color:#8a8a8a;">SKU: '
            yield escape(environment.getattr(l_1_item, 'sku'))
            yield '</span>'
        yield '</td>\n      <td style="padding:10px 12px; border:1px solid #e5e5e5; vertical-align:middle; text-align:center; color:#636363;">'
        yield escape(environment.getattr(l_1_item, 'quantity'))
        if environment.getattr(l_1_item, 'quantity_refunded'):
            pass
            yield ' <span style="color:#a00;">(&minus;'
            yield escape(environment.getattr(l_1_item, 'quantity_refunded'))
            yield ' refunded)</span>'
        yield '</td>\n      <td style="padding:10px 12px; border:1px solid #e5e5e5; vertical-align:middle; text-align:right; color:#636363; white-space:nowrap;">'
        yield escape(t_2(context, environment.getattr(l_1_item, 'total'), environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'currency')))
        if (environment.getattr(l_1_item, 'quantity') > 1):
            pass
            yield '<br><span style="font-size:12px; color:#8a8a8a;">'
            yield escape(t_2(context, environment.getattr(l_1_item, 'price'), environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'currency')))
            yield ' each</span>'
        yield '</td>\n    </tr>\n'
    l_1_item = missing
    yield '  </tbody>\n  <tfoot>\n    <tr>\n      <th scope="row" colspan="2" style="padding:10px 12px; border:1px solid #e5e5e5; vertical-align:middle; text-align:left; font-weight:bold; color:#3c3c3c; border-top-width:4px;">Subtotal:</th>\n      <td style="padding:10px 12px; border:1px solid #e5e5e5; vertical-align:middle; text-align:right; color:#636363; white-space:nowrap; border-top-width:4px;">'
    yield escape(t_2(context, environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'subtotal'), environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'currency')))
    yield '</td>\n    </tr>\n'
    for l_1_line in environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'shipping_lines'):
        _loop_vars = {}
        pass
        yield '    <tr>\n      <th scope="row" colspan="2" style="padding:10px 12px; border:1px solid #e5e5e5; vertical-align:middle; text-align:left; font-weight:bold; color:#3c3c3c;">Shipping:</th>\n      <td style="padding:10px 12px; border:1px solid #e5e5e5; vertical-align:middle; text-align:right; color:#636363; white-space:nowrap;">'
        yield escape(t_2(context, environment.getattr(l_1_line, 'total'), environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'currency')))
        yield '<br><span style="font-size:12px; color:#8a8a8a;">via '
        yield escape(environment.getattr(l_1_line, 'method_title'))
        yield '</span></td>\n    </tr>\n'
    l_1_line = missing
    for l_1_fee in environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'fee_lines'):
        _loop_vars = {}
        pass
        yield '    <tr>\n      <th scope="row" colspan="2" style="padding:10px 12px; border:1px solid #e5e5e5; vertical-align:middle; text-align:left; font-weight:bold; color:#3c3c3c;">'
        yield escape(environment.getattr(l_1_fee, 'name'))
        yield ':</th>\n      <td style="padding:10px 12px; border:1px solid #e5e5e5; vertical-align:middle; text-align:right; color:#636363; white-space:nowrap;">'
        yield escape(t_2(context, environment.getattr(l_1_fee, 'total'), environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'currency')))
        yield '</td>\n    </tr>\n'
    l_1_fee = missing
    if environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'total_tax'):
        pass
        yield '    <tr>\n      <th scope="row" colspan="2" style="padding:10px 12px; border:1px solid #e5e5e5; vertical-align:middle; text-align:left; font-weight:bold; color:#3c3c3c;">Tax:</th>\n      <td style="padding:10px 12px; border:1px solid #e5e5e5; vertical-align:middle; text-align:right; color:#636363; white-space:nowrap;">'
        yield escape(t_2(context, environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'total_tax'), environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'currency')))
        yield '</td>\n    </tr>\n'
    if environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'payment_method_title'):
        pass
        yield '    <tr>\n      <th scope="row" colspan="2" style="padding:10px 12px; border:1px solid #e5e5e5; vertical-align:middle; text-align:left; font-weight:bold; color:#3c3c3c;">Payment method:</th>\n      <td style="padding:10px 12px; border:1px solid #e5e5e5; vertical-align:middle; text-align:right; color:#636363; white-space:nowrap;">'
        yield escape(environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'payment_method_title'))
        yield '</td>\n    </tr>\n'
    for l_1_r in environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'refunds'):
        _loop_vars = {}
        pass
        yield '    <tr>\n      <th scope="row" colspan="2" style="padding:10px 12px; border:1px solid #e5e5e5; vertical-align:middle; text-align:left; font-weight:normal; color:#3c3c3c;">Refund'
        if environment.getattr(l_1_r, 'reason'):
            pass
            yield ': '
            yield escape(environment.getattr(l_1_r, 'reason'))
        yield '</th>\n      <td style="padding:10px 12px; border:1px solid #e5e5e5; vertical-align:middle; text-align:right; color:#a00; white-space:nowrap;">&minus;'
        yield escape(t_2(context, environment.getattr(l_1_r, 'amount'), environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'currency')))
        yield '</td>\n    </tr>\n'
    l_1_r = missing
    yield '    <tr>\n      <th scope="row" colspan="2" style="padding:10px 12px; border:1px solid #e5e5e5; vertical-align:middle; text-align:left; font-weight:bold; color:#3c3c3c;">Total:</th>\n      <td style="padding:10px 12px; border:1px solid #e5e5e5; vertical-align:middle; text-align:right; font-weight:bold; color:#3c3c3c; white-space:nowrap;">'
    if environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'refunds'):
        pass
        yield '<del style="color:#8a8a8a; font-weight:normal;">'
        yield escape(t_2(context, environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'total'), environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'currency')))
        yield '</del> '
        yield escape(t_2(context, environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'remaining_refundable'), environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'currency')))
    else:
        pass
        yield escape(t_2(context, environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'total'), environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'currency')))
    yield '</td>\n    </tr>\n  </tfoot>\n</table>\n'
    if environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'customer_note'):
        pass
        yield '<p style="margin:16px 0 0; padding:12px 16px; background-color:#f7f7f7; border-left:4px solid #7f54b3; color:#3c3c3c;"><strong>Customer note:</strong> '
        yield escape(environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'customer_note'))
        yield '</p>\n'
    template = environment.get_template('_tracking.html.j2', '_order_details.html.j2')
    gen = template.root_render_func(template.new_context(context.get_all(), True, {}))
    try:
        for event in gen:
            yield event
    finally: gen.close()
    template = environment.get_template('_addresses.html.j2', '_order_details.html.j2')
    gen = template.root_render_func(template.new_context(context.get_all(), True, {}))
    try:
        for event in gen:
            yield event
    finally: gen.close()

blocks = {}
debug_info = '4=25&14=29&16=33&17=40&18=47&25=56&27=58&30=62&33=67&35=71&36=73&39=76&42=79&45=81&48=84&51=86&53=90&54=95&59=99&63=109&64=112&66=114&67=120'