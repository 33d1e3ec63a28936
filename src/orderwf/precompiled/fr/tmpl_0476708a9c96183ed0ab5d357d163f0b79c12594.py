from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'customer_invoice.txt.j2'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    parent_template = None
    pass
    parent_template = environment.get_template('_layout.txt.j2', 'customer_invoice.txt.j2')
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
        yield 'Détails de la commande n° '
        yield str(environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'number'))
    else:
        pass
        yield 'Facture de la commande n° '
        yield str(environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'number'))

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
    yield 'Bonjour'
    if environment.getattr(environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'billing'), 'first_name'):
        pass
        yield ' '
        yield str(environment.getattr(environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'billing'), 'first_name'))
    yield ',\n\n'
    if environment.getattr(environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'status'), 'paid'):
        pass
        yield 'Voici le détail de votre commande passée le '
        yield str(t_1(context, environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'date_created')))
        yield ' :\n'
    else:
        pass
        yield 'Une commande a été créée pour vous sur '
        yield str(environment.getattr((undefined(name='shop') if l_0_shop is missing else l_0_shop), 'name'))
        yield '. Son statut : '
        yield str(environment.getattr(environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'status'), 'label'))
        yield '. En voici le détail :\n'
    yield '\n'
    template = environment.get_template('_order_details.txt.j2', 'customer_invoice.txt.j2')
    gen = template.root_render_func(template.new_context(context.get_all(), True, {}))
    try:
        for event in gen:
            yield event
    finally: gen.close()
    yield '\nMerci pour votre achat chez '
    yield str(environment.getattr((undefined(name='shop') if l_0_shop is missing else l_0_shop), 'name'))
    yield '.\n'

blocks = {'heading': block_heading, 'content': block_content}
debug_info = '1=12&2=17&3=35&4=52&6=57&7=60&9=65&12=70&14=77'