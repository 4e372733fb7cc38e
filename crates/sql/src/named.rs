//! Named arguments of lookalike's table functions:
//! `lookalike_pairs('corpus', 'text', 'minilm', 'mpnet', threshold => 0.95, mode => 'candidates')`.
//!
//! DataFusion's planner drops argument names of table functions, so this relation planner
//! gathers the named ones into a trailing `named_struct(name, value, …)` argument, which
//! `CallArgs` (in `computed`) reads back as typed (name, value) options. A value reaches the
//! function as the planner typed it; nothing is formatted into text and parsed again.

use datafusion::common::{plan_err, DFSchema, Result};
use datafusion::logical_expr::planner::{
    PlannedRelation, RelationPlanner, RelationPlannerContext, RelationPlanning,
};
use datafusion::logical_expr::sqlparser::ast::{
    FunctionArg, FunctionArgExpr, ObjectName, TableFactor, TableFunctionArgs,
};
use datafusion::logical_expr::{lit, LogicalPlanBuilder};

/// The table functions whose options are named.
pub const TABLE_FUNCTIONS: [&str; 4] = [
    "lookalike_pairs",
    "offline_generate",
    "llm_categorize",
    "llm_generate",
];

/// Plans calls of [`TABLE_FUNCTIONS`] that have named arguments.
#[derive(Debug, Default)]
pub struct NamedArguments;

impl RelationPlanner for NamedArguments {
    fn plan_relation(
        &self,
        relation: TableFactor,
        context: &mut dyn RelationPlannerContext,
    ) -> Result<RelationPlanning> {
        let (name, args, alias) = match relation {
            TableFactor::Table {
                name,
                args:
                    Some(TableFunctionArgs {
                        args,
                        settings: None,
                    }),
                alias,
                ..
            } if is_ours(&name, args.as_slice()) => (name, args, alias),
            TableFactor::Function {
                lateral: false,
                name,
                args,
                with_ordinality: false,
                alias,
            } if is_ours(&name, args.as_slice()) => (name, args, alias),
            other => return Ok(RelationPlanning::Original(Box::new(other))),
        };
        let function = context.object_name_to_table_reference(name)?;
        let schema = DFSchema::empty();
        let mut positional = Vec::new();
        let mut options = Vec::new();
        for arg in args {
            match arg {
                FunctionArg::Unnamed(FunctionArgExpr::Expr(expr)) => {
                    if !options.is_empty() {
                        return plan_err!(
                            "{}: a positional argument follows a named one",
                            function.table()
                        );
                    }
                    positional.push(context.sql_to_expr(expr, &schema)?);
                }
                FunctionArg::Named {
                    name,
                    arg: FunctionArgExpr::Expr(expr),
                    ..
                } => {
                    options.push(lit(context.normalize_ident(name)));
                    options.push(context.sql_to_expr(expr, &schema)?);
                }
                other => return plan_err!("{}: unsupported argument {other}", function.table()),
            }
        }
        positional.push(datafusion::functions::core::expr_fn::named_struct(options));
        let source = context
            .context_provider()
            .get_table_function_source(function.table(), positional)?;
        let plan = LogicalPlanBuilder::scan(function.table(), source, None)?.build()?;
        Ok(RelationPlanning::Planned(Box::new(PlannedRelation::new(
            plan, alias,
        ))))
    }
}

/// One of ours, called with at least one named argument.
fn is_ours(name: &ObjectName, args: &[FunctionArg]) -> bool {
    let named = args.iter().any(|a| matches!(a, FunctionArg::Named { .. }));
    let last = name.0.last().and_then(|part| part.as_ident());
    named
        && last.is_some_and(|ident| {
            TABLE_FUNCTIONS.contains(&ident.value.to_ascii_lowercase().as_str())
        })
}
