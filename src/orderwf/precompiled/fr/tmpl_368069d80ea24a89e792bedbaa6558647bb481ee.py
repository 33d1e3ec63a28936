from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = '_order_details.txt.j2'

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
    yield '[Commande n° '
    yield str(environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'number'))
    yield '] ('
    yield str(t_1(context, environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'date_created')))
    yield ')\n\n'
    for l_1_item in environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'line_items'):
        _loop_vars = {}
        pass
        yield '- '
        yield str(environment.getattr(l_1_item, 'name'))
        if environment.getattr(l_1_item, 'sku'):
            pass
            yield ' (réf. '
            yield str(environment.getattr(l_1_item, 'sku'))
            yield ')'
        yield ' × '
        yield str(environment.getattr(l_1_item, 'quantity'))
        if (environment.getattr(l_1_item, 'quantity') > 1):
            pass
            yield ' à '
            yield str(t_2(context, environment.getattr(l_1_item, 'price'), environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'currency')))
        yield ' = '
        yield str(t_2(context, environment.getattr(l_1_item, 'total'), environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'currency')))
        if environment.getattr(l_1_item, 'quantity_refunded'):
            pass
            yield ' ('
            yield str(environment.getattr(l_1_item, 'quantity_refunded'))
            yield ' remboursé'
            yield str(('s' if (environment.getattr(l_1_item, 'quantity_refunded') > 1) else cond_expr_undefined("the inline if-expression on line 5 in '_order_details.txt.j2' evaluated to false and no else section was defined.")))
            yield ')'
        yield '\n'
    l_1_item = missing
    yield '\nSous-total : '
    yield str(t_2(context, environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'subtotal'), environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'currency')))
    yield '\n'
    for l_1_line in environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'shipping_lines'):
        _loop_vars = {}
        pass
        yield 'Expédition : '
        yield str(t_2(context, environment.getattr(l_1_line, 'total'), environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'currency')))
        yield ' par '
        yield str(environment.getattr(l_1_line, 'method_title'))
        yield '\n'
    l_1_line = missing
    for l_1_fee in environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'fee_lines'):
        _loop_vars = {}
        pass
        yield str(environment.getattr(l_1_fee, 'name'))
        yield ' : '
        yield str(t_2(context, environment.getattr(l_1_fee, 'total'), environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'currency')))
        yield '\n'
    l_1_fee = missing
    if environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'total_tax'):
        pass
        yield 'TVA : '
        yield str(t_2(context, environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'total_tax'), environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'currency')))
        yield '\n'
    if environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'payment_method_title'):
        pass
        yield 'Moyen de paiement : '
        yield str(environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'payment_method_title'))
        yield '\n'
    yield 'Total : '
    yield str(t_2(context, environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'total'), environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'currency')))
    yield '\n'
    for l_1_r in environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'refunds'):
        _loop_vars = {}
        pass
        yield 'Remboursement'
        if environment.getattr(l_1_r, 'reason'):
            pass
            yield ' ('
            yield str(environment.getattr(l_1_r, 'reason'))
            yield ')'
        yield ' : -'
        yield str(t_2(context, environment.getattr(l_1_r, 'amount'), environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'currency')))
        yield '\n'
    l_1_r = missing
    if environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'refunds'):
        pass
        yield 'Total après remboursement : '
        yield str(t_2(context, environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'remaining_refundable'), environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'currency')))
        yield '\n'
    if environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'customer_note'):
        pass
        yield '\nNote du client : '
        yield str(environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'customer_note'))
        yield '\n'
    template = environment.get_template('_tracking.txt.j2', '_order_details.txt.j2')
    gen = template.root_render_func(template.new_context(context.get_all(), True, {}))
    try:
        for event in gen:
            yield event
    finally: gen.close()
    template = environment.get_template('_addresses.txt.j2', '_order_details.txt.j2')
    gen = template.root_render_func(template.new_context(context.get_all(), True, {}))
    try:
        for event in gen:
            yield event
    finally: gen.close()

blocks = {}
debug_info = '2=25&4=29&5=33&9=57&10=59&11=63&13=68&14=71&16=76&17=79&19=81&20=84&22=87&23=89&24=93&26=102&27=105&29=107&31=110&33=112&34=118'