from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'cancelled_order.html.j2'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    parent_template = None
    pass
    parent_template = environment.get_template('_layout.html.j2', 'cancelled_order.html.j2')
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
    yield 'Commande annulée : n° '
    yield escape(environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'number'))

def block_content(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    _block_vars = {}
    l_0_order = resolve('order')
    pass
    yield '<p style="margin:0 0 16px;">Pour information, la commande n°&nbsp;'
    yield escape(environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'number'))
    yield ' de '
    yield escape(environment.getattr(environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'billing'), 'first_name'))
    yield ' '
    yield escape(environment.getattr(environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'billing'), 'last_name'))
    yield ' a été annulée&nbsp;:</p>\n'
    template = environment.get_template('_order_details.html.j2', 'cancelled_order.html.j2')
    gen = template.root_render_func(template.new_context(context.get_all(), True, {}))
    try:
        for event in gen:
            yield event
    finally: gen.close()

blocks = {'heading': block_heading, 'content': block_content}
debug_info = '1=12&2=17&3=29&4=39&5=45'