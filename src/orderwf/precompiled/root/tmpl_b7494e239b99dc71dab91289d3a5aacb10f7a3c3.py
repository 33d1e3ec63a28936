from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'customer_refunded_order.txt.j2'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    parent_template = None
    pass
    parent_template = environment.get_template('_layout.txt.j2', 'customer_refunded_order.txt.j2')
    for name, parent_block in parent_template.blocks.items():
        context.blocks.setdefault(name, []).append(parent_block)
    yield from parent_template.root_render_func(context)

def block_heading(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    _block_vars = {}
    l_0_refund = resolve('refund')
    l_0_order = resolve('order')
    pass
    if environment.getattr((undefined(name='refund') if l_0_refund is missing else l_0_refund), 'partial'):
        pass
        yield 'Partial refund: order #'
        yield str(environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'number'))
    else:
        pass
        yield 'Order #'
        yield str(environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'number'))
        yield ' refunded'

def block_content(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    _block_vars = {}
    l_0_order = resolve('order')
    l_0_shop = resolve('shop')
    l_0_refund = resolve('refund')
    try:
        t_1 = environment.filters['money']
    except KeyError:
        @internalcode
        def t_1(*unused):
            raise TemplateRuntimeError("No filter named 'money' found.")
    pass
    yield 'Hi '
    yield str((environment.getattr(environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'billing'), 'first_name') or 'there'))
    yield ',\n\nYour order #'
    yield str(environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'number'))
    yield ' on '
    yield str(environment.getattr((undefined(name='shop') if l_0_shop is missing else l_0_shop), 'name'))
    yield ' has been '
    yield str(('partially ' if environment.getattr((undefined(name='refund') if l_0_refund is missing else l_0_refund), 'partial') else cond_expr_undefined("the inline if-expression on line 6 in 'customer_refunded_order.txt.j2' evaluated to false and no else section was defined.")))
    yield 'refunded: '
    yield str(t_1(context, environment.getattr((undefined(name='refund') if l_0_refund is missing else l_0_refund), 'amount'), environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'currency')))
    if environment.getattr((undefined(name='refund') if l_0_refund is missing else l_0_refund), 'reason'):
        pass
        yield ' (reason: '
        yield str(environment.getattr((undefined(name='refund') if l_0_refund is missing else l_0_refund), 'reason'))
        yield ')'
    yield '. There are more details below for your reference:\n\n'
    template = environment.get_template('_order_details.txt.j2', 'customer_refunded_order.txt.j2')
    gen = template.root_render_func(template.new_context(context.get_all(), True, {}))
    try:
        for event in gen:
            yield event
    finally: gen.close()
    yield '\nWe hope to see you again soon.\n'

blocks = {'heading': block_heading, 'content': block_content}
debug_info = '1=12&2=17&3=37&4=55&6=57&8=70'