from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'customer_note.html.j2'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    parent_template = None
    pass
    parent_template = environment.get_template('_layout.html.j2', 'customer_note.html.j2')
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
    yield 'Ihrer Bestellung wurde eine Notiz hinzugefügt'

def block_content(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    _block_vars = {}
    l_0_order = resolve('order')
    pass
    yield '<p style="margin:0 0 16px;">Hallo'
    if environment.getattr(environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'billing'), 'first_name'):
        pass
        yield ' '
        yield escape(environment.getattr(environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'billing'), 'first_name'))
    yield ',</p>\n<p style="margin:0 0 16px;">Ihrer Bestellung Nr.&nbsp;'
    yield escape(environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'number'))
    yield ' wurde die folgende Notiz hinzugefügt:</p>\n'
    if environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'customer_notes'):
        pass
        yield '<blockquote style="margin:0 0 16px; padding:12px 16px; background-color:#f7f7f7; border-left:4px solid #7f54b3; color:#3c3c3c; white-space:pre-line;">'
        yield escape(environment.getitem(environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'customer_notes'), -1))
        yield '</blockquote>\n'
    yield '<p style="margin:0 0 16px;">Zur Erinnerung die Details Ihrer Bestellung:</p>\n'
    template = environment.get_template('_order_details.html.j2', 'customer_note.html.j2')
    gen = template.root_render_func(template.new_context(context.get_all(), True, {}))
    try:
        for event in gen:
            yield event
    finally: gen.close()

blocks = {'heading': block_heading, 'content': block_content}
debug_info = '1=12&2=17&3=27&4=37&5=42&6=44&7=47&10=50'