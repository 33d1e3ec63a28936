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
    yield '[Bestellung Nr. '
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
            yield ' (Art.-Nr. '
            yield str(environment.getattr(l_1_item, 'sku'))
            yield ')'
        yield ' × '
        yield str(environment.getattr(l_1_item, 'quantity'))
        if (environment.getattr(l_1_item, 'quantity') > 1):
            pass
            yield ' zu je '
            yield str(t_2(context, environment.getattr(l_1_item, 'price'), environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'currency')))
        yield ' = '
        yield str(t_2(context, environment.getattr(l_1_item, 'total'), environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'currency')))
        if environment.getattr(l_1_item, 'quantity_refunded'):
            pass
            yield ' ('
            yield str(environment.getattr(l_1_item, 'quantity_refunded'))
            yield ' erstattet)'
        yield '\n'
    l_1_item = missing
    yield '\nZwischensumme: '
    yield str(t_2(context, environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'subtotal'), environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'currency')))
    yield '\n'
    for l_1_line in environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'shipping_lines'):
        _loop_vars = {}
        pass
        yield 'Versand: '
        yield str(t_2(context, environment.getattr(l_1_line, 'total'), environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'currency')))
        yield ' über '
        yield str(environment.getattr(l_1_line, 'method_title'))
        yield '\n'
    l_1_line = missing
    for l_1_fee in environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'fee_lines'):
        _loop_vars = {}
        pass
        yield str(environment.getattr(l_1_fee, 'name'))
        yield ': '
        yield str(t_2(context, environment.getattr(l_1_fee, 'total'), environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'currency')))
        yield '\n'
    l_1_fee = missing
    if environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'total_tax'):
        pass
        yield 'MwSt.: '
        yield str(t_2(context, environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'total_tax'), environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'currency')))
        yield '\n'
    if environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'payment_method_title'):
        pass
        yield 'Zahlungsmethode: '
        yield str(environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'payment_method_title'))
        yield '\n'
    yield 'Gesamt: '
    yield str(t_2(context, environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'total'), environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'currency')))
    yield '\n'
    for l_1_r in environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'refunds'):
        _loop_vars = {}
        pass
        yield 'Erstattung'
        if environment.getattr(l_1_r, 'reason'):
            pass
            yield ' ('
            yield str(environment.getattr(l_1_r, 'reason'))
            yield ')'
        yield ': -'
        yield str(t_2(context, environment.getattr(l_1_r, 'amount'), environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'currency')))
        yield '\n'
    l_1_r = missing
    if environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'refunds'):
        pass
        yield 'Gesamt nach Erstattung: '
        yield str(t_2(context, environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'remaining_refundable'), environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'currency')))
        yield '\n'
    if environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'customer_note'):
        pass
        yield '\nAnmerkung des Kunden: '
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
debug_info = '2=25&4=29&5=33&9=55&10=57&11=61&13=66&14=69&16=74&17=77&19=79&20=82&22=85&23=87&24=91&26=100&27=103&29=105&31=108&33=110&34=116'