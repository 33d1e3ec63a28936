from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'customer_note.txt.j2'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    parent_template = None
    pass
    parent_template = environment.get_template('_layout.txt.j2', 'customer_note.txt.j2')
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
    try:
        t_1 = environment.filters['indent']
    except KeyError:
        @internalcode
        def t_1(*unused):
            raise TemplateRuntimeError("No filter named 'indent' found.")
    pass
    yield 'Hallo'
    if environment.getattr(environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'billing'), 'first_name'):
        pass
        yield ' '
        yield str(environment.getattr(environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'billing'), 'first_name'))
    yield ',\n\nIhrer Bestellung Nr. '
    yield str(environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'number'))
    yield ' wurde die folgende Notiz hinzugefügt:\n'
    if environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'customer_notes'):
        pass
        yield '\n'
        yield str(t_1(environment.getitem(environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'customer_notes'), -1), 4, first=True))
        yield '\n'
    yield '\nZur Erinnerung die Details Ihrer Bestellung:\n\n'
    template = environment.get_template('_order_details.txt.j2', 'customer_note.txt.j2')
    gen = template.root_render_func(template.new_context(context.get_all(), True, {}))
    try:
        for event in gen:
            yield event
    finally: gen.close()

blocks = {'heading': block_heading, 'content': block_content}
debug_info = '1=12&2=17&3=27&4=43&6=48&7=50&9=53&14=56'