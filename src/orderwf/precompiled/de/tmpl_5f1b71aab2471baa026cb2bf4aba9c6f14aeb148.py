from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'customer_processing_order.txt.j2'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    parent_template = None
    pass
    parent_template = environment.get_template('_layout.txt.j2', 'customer_processing_order.txt.j2')
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
    pass
    yield 'Vielen Dank für Ihre Bestellung'

def block_content(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    _block_vars = {}
    l_0_order = resolve('order')
    l_0_shop = resolve('shop')
    pass
    yield 'Hallo'
    if environment.getattr(environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'billing'), 'first_name'):
        pass
        yield ' '
        yield str(environment.getattr(environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'billing'), 'first_name'))
    yield ',\n\nWir haben Ihre Bestellung Nr. '
    yield str(environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'number'))
    yield ' erhalten; sie wird jetzt bearbeitet:\n\n'
    template = environment.get_template('_order_details.txt.j2', 'customer_processing_order.txt.j2')
    gen = template.root_render_func(template.new_context(context.get_all(), True, {}))
    try:
        for event in gen:
            yield event
    finally: gen.close()
    yield '\nVielen Dank für Ihren Einkauf bei '
    yield str(environment.getattr((undefined(name='shop') if l_0_shop is missing else l_0_shop), 'name'))
    yield '.\n'

blocks = {'heading': block_heading, 'content': block_content}
debug_info = '1=12&2=17&3=27&4=38&6=43&8=45&10=52'