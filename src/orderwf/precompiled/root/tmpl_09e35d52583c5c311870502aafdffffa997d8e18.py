from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'customer_invoice.html.j2'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    parent_template = None
    pass
    parent_template = environment.get_template('_layout.html.j2', 'customer_invoice.html.j2')
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
    l_0_order = resolve('order')
    pass
    if environment.getattr(environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'status'), 'paid'):
        pass
        yield 'Details for order #'
        yield escape(environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'number'))
    else:
        pass
        yield 'Invoice for order #'
        yield escape(environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'number'))

def block_content(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    _block_vars = {}
    l_0_order = resolve('order')
    l_0_shop = resolve('shop')
    try:
        t_1 = environment.filters['date']
    except KeyError:
        @internalcode
        def t_1(*unused):
            raise TemplateRuntimeError("No filter named 'date' found.")
    pass
    yield '<p style="margin:0 0 16px;">Hi '
    yield escape((environment.getattr(environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'billing'), 'first_name') or 'there'))
    yield ',</p>\n'
    if environment.getattr(environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'status'), 'paid'):
        pass
        yield '<p style="margin:0 0 16px;">Here are the details of your order placed on '
        yield escape(t_1(context, environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'date_created')))
        yield ':</p>\n'
    else:
        pass
        yield '<p style="margin:0 0 16px;">An order has been created for you on '
        yield escape(environment.getattr((undefined(name='shop') if l_0_shop is missing else l_0_shop), 'name'))
        yield '. Its status is <strong>'
        yield escape(environment.getattr(environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'status'), 'label'))
        yield '</strong>; here are its details:</p>\n'
    template = environment.get_template('_order_details.html.j2', 'customer_invoice.html.j2')
    gen = template.root_render_func(template.new_context(context.get_all(), True, {}))
    try:
        for event in gen:
            yield event
    finally: gen.close()
    yield '<p style="margin:24px 0 0;">Thanks for shopping with '
    yield escape(environment.getattr((undefined(name='shop') if l_0_shop is missing else l_0_shop), 'name'))
    yield '.</p>\n'

blocks = {'heading': block_heading, 'content': block_content}
debug_info = '1=12&2=17&3=35&4=52&5=54&6=57&8=62&10=66&11=73'