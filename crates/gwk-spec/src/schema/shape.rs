//! The schema compiled into a graph of shapes that a YAML tree can be walked
//! against quickly, and that cursor queries (completion, hover) can ask
//! "what may go here?".
//!
//! Only the parts of JSON Schema that `generate` emits are understood:
//! `type`, `properties`, `required`, `additionalProperties`, `items`,
//! `enum`/`const` (also as `oneOf` of documented constants), `$ref`,
//! `anyOf`/`oneOf` of alternatives told apart by YAML kind, `minimum`,
//! `deprecated`, and `allOf` of `if {x: const} then {...}` as a switch on
//! a discriminator property. A test checks that nothing else appears.

use crate::syntax::{Kind, Node};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::OnceLock;

pub type ShapeId = usize;

/// Which YAML kinds a shape accepts; empty means any.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Kinds(u8);

impl Kinds {
    const NULL: u8 = 1;
    const BOOL: u8 = 2;
    const INT: u8 = 4;
    const FLOAT: u8 = 8;
    const STR: u8 = 16;
    const MAP: u8 = 32;
    const SEQ: u8 = 64;

    fn bit(kind: Kind) -> u8 {
        match kind {
            Kind::Null => Self::NULL,
            Kind::Bool => Self::BOOL,
            Kind::Int => Self::INT,
            Kind::Float => Self::FLOAT,
            Kind::Str => Self::STR,
            Kind::Mapping => Self::MAP,
            Kind::Sequence => Self::SEQ,
        }
    }

    fn from_json_type(t: &str) -> u8 {
        match t {
            "null" => Self::NULL,
            "boolean" => Self::BOOL,
            "integer" => Self::INT,
            "number" => Self::INT | Self::FLOAT,
            "string" => Self::STR,
            "object" => Self::MAP,
            "array" => Self::SEQ,
            _ => 0,
        }
    }

    pub fn any(self) -> bool {
        self.0 == 0
    }

    pub fn accepts(self, kind: Kind) -> bool {
        self.any() || self.0 & Self::bit(kind) != 0
    }

    /// "a string", "a mapping or a list", ... for messages.
    pub fn described(self) -> String {
        let mut names: Vec<&str> = Vec::new();
        for (bit, name) in [
            (Self::STR, "a string"),
            (Self::INT, "a number"),
            (Self::BOOL, "true or false"),
            (Self::MAP, "a mapping"),
            (Self::SEQ, "a list"),
            (Self::NULL, "nothing"),
        ] {
            if self.0 & bit != 0 {
                names.push(name);
            }
        }
        match names.as_slice() {
            [] => "anything".into(),
            [one] => (*one).into(),
            [init @ .., last] => format!("{} or {}", init.join(", "), last),
        }
    }
}

/// A string constant a shape accepts, with its docs.
#[derive(Clone, Debug)]
pub struct Choice {
    pub value: String,
    pub description: Option<String>,
}

#[derive(Clone, Debug)]
pub struct Property {
    pub name: String,
    pub shape: ShapeId,
    pub required: bool,
    pub description: Option<String>,
    pub deprecated: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Additional {
    /// `additionalProperties: false`.
    Forbidden,
    /// Any key, any value.
    Any,
    /// Any key, values of this shape (a map).
    Shape(ShapeId),
}

/// `allOf` of `if <discriminator> == value then <target>: shape`.
#[derive(Clone, Debug)]
pub struct Switch {
    pub discriminator: String,
    pub target: String,
    pub cases: Vec<SwitchCase>,
}

#[derive(Clone, Debug)]
pub struct SwitchCase {
    pub value: String,
    pub shape: ShapeId,
    pub required: bool,
}

#[derive(Clone, Debug, Default)]
pub struct Shape {
    /// The schema definition this shape is (`Job`, `ContainerWith`, ...).
    pub def: Option<String>,
    pub description: Option<String>,
    pub kinds: Kinds,
    pub choices: Vec<Choice>,
    pub properties: Vec<Property>,
    pub additional: Option<Additional>,
    pub items: Option<ShapeId>,
    /// Alternatives told apart by the YAML kind of the value.
    pub alternatives: Vec<ShapeId>,
    pub switch: Option<Switch>,
    pub minimum: Option<f64>,
    pub deprecated: bool,
}

impl Shape {
    pub fn property(&self, name: &str) -> Option<&Property> {
        self.properties.iter().find(|p| p.name == name)
    }
}

/// The compiled schema.
#[derive(Debug)]
pub struct Shapes {
    nodes: Vec<Shape>,
    pub root: ShapeId,
    defs: HashMap<String, ShapeId>,
}

impl Shapes {
    /// The shapes of gwk's own schema, built once.
    pub fn get() -> &'static Shapes {
        static SHAPES: OnceLock<Shapes> = OnceLock::new();
        SHAPES.get_or_init(|| Shapes::compile(super::json_schema()))
    }

    pub fn shape(&self, id: ShapeId) -> &Shape {
        &self.nodes[id]
    }

    pub fn def(&self, name: &str) -> Option<ShapeId> {
        self.defs.get(name).copied()
    }

    /// The alternative of `id` that fits a value of `kind`, or `id` itself.
    pub fn pick(&self, id: ShapeId, kind: Kind) -> Option<ShapeId> {
        let shape = self.shape(id);
        if shape.alternatives.is_empty() {
            return Some(id);
        }
        shape
            .alternatives
            .iter()
            .copied()
            .find(|&alt| self.shape(alt).kinds.accepts(kind))
    }

    /// The switch case that applies to mapping `node` under shape `id`.
    pub fn case(&self, id: ShapeId, node: &Node) -> Option<&SwitchCase> {
        let switch = self.shape(id).switch.as_ref()?;
        let value = node.get(&switch.discriminator)?.as_str()?;
        switch.cases.iter().find(|c| c.value == value)
    }

    /// The shape of the value at `key` of mapping `node` (of shape `id`):
    /// the property's shape, the switch case's, or the map's value shape.
    pub fn child(&self, id: ShapeId, key: &str, node: Option<&Node>) -> Option<ShapeId> {
        let shape = self.shape(id);
        if let (Some(switch), Some(node)) = (&shape.switch, node)
            && switch.target == key
            && let Some(case) = self.case(id, node)
        {
            return Some(case.shape);
        }
        if let Some(p) = shape.property(key) {
            return Some(p.shape);
        }
        match shape.additional {
            Some(Additional::Shape(s)) => Some(s),
            _ => None,
        }
    }

    /// The keys a mapping of shape `id` may have, with the switch applied.
    pub fn keys(&self, id: ShapeId, node: Option<&Node>) -> Vec<Property> {
        let shape = self.shape(id);
        let case = node.and_then(|n| self.case(id, n));
        shape
            .properties
            .iter()
            .map(|p| {
                let mut p = p.clone();
                if let (Some(case), Some(sw)) = (case, &shape.switch)
                    && sw.target == p.name
                {
                    p.shape = case.shape;
                    p.required |= case.required;
                }
                p
            })
            .collect()
    }

    fn compile(schema: &Value) -> Shapes {
        let mut c = Compiler {
            shapes: Shapes {
                nodes: Vec::new(),
                root: 0,
                defs: HashMap::new(),
            },
            definitions: schema
                .get("definitions")
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default(),
        };
        let root = c.compile(schema, Some("Workflow".into()));
        c.shapes.root = root;
        c.shapes
    }
}

struct Compiler {
    shapes: Shapes,
    definitions: serde_json::Map<String, Value>,
}

impl Compiler {
    fn alloc(&mut self, shape: Shape) -> ShapeId {
        self.shapes.nodes.push(shape);
        self.shapes.nodes.len() - 1
    }

    fn reference(&mut self, r: &str) -> ShapeId {
        let name = r.trim_start_matches("#/definitions/").to_string();
        if let Some(&id) = self.shapes.defs.get(&name) {
            return id;
        }
        // Reserve the id first so recursive definitions terminate.
        let id = self.alloc(Shape::default());
        self.shapes.defs.insert(name.clone(), id);
        let def = self
            .definitions
            .get(&name)
            .cloned()
            .unwrap_or_else(|| panic!("schema refers to missing definition {name}"));
        let compiled = self.build(&def, Some(name));
        self.shapes.nodes[id] = compiled;
        id
    }

    fn compile(&mut self, v: &Value, def: Option<String>) -> ShapeId {
        if let Some(r) = v.get("$ref").and_then(Value::as_str) {
            return self.reference(r);
        }
        // schemars writes `{allOf: [{$ref}], description}` for a documented
        // reference: that is the reference.
        if let Some([only]) = v.get("allOf").and_then(Value::as_array).map(Vec::as_slice)
            && let Some(r) = only.get("$ref").and_then(Value::as_str)
        {
            return self.reference(r);
        }
        let shape = self.build(v, def);
        self.alloc(shape)
    }

    fn build(&mut self, v: &Value, def: Option<String>) -> Shape {
        let mut shape = Shape {
            def,
            description: description(v),
            deprecated: v.get("deprecated") == Some(&Value::Bool(true)),
            minimum: v.get("minimum").and_then(Value::as_f64),
            ..Shape::default()
        };
        match v.get("type") {
            Some(Value::String(t)) => shape.kinds = Kinds(Kinds::from_json_type(t)),
            Some(Value::Array(ts)) => {
                shape.kinds = Kinds(
                    ts.iter()
                        .filter_map(Value::as_str)
                        .map(Kinds::from_json_type)
                        .fold(0, |a, b| a | b),
                )
            }
            _ => {}
        }
        if let Some(c) = v.get("const").and_then(Value::as_str) {
            shape.choices.push(Choice {
                value: c.into(),
                description: shape.description.clone(),
            });
        }
        if let Some(values) = v.get("enum").and_then(Value::as_array) {
            shape
                .choices
                .extend(values.iter().filter_map(Value::as_str).map(|s| Choice {
                    value: s.into(),
                    description: None,
                }));
        }
        for key in ["oneOf", "anyOf"] {
            let Some(alts) = v.get(key).and_then(Value::as_array) else {
                continue;
            };
            if alts.iter().all(|a| a.get("const").is_some()) {
                // A documented enum.
                shape.kinds = Kinds(Kinds::STR);
                shape.choices.extend(alts.iter().map(|a| Choice {
                    value: a["const"].as_str().unwrap_or_default().into(),
                    description: description(a),
                }));
            } else if alts
                .iter()
                .all(|a| a.get("type").is_some() || a.get("$ref").is_some())
            {
                shape.alternatives = alts.iter().map(|a| self.compile(a, None)).collect();
            }
            // Alternatives of `required` lists (a dataset's ref-or-id) are
            // for other validators; the rules check them with better words.
        }
        if let Some(items) = v.get("items") {
            shape.items = Some(self.compile(items, None));
        }
        let required: Vec<&str> = v
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        if let Some(props) = v.get("properties").and_then(Value::as_object) {
            for (name, p) in props {
                let shape_id = self.compile(p, None);
                shape.properties.push(Property {
                    name: name.clone(),
                    shape: shape_id,
                    required: required.contains(&name.as_str()),
                    description: description(p),
                    deprecated: p.get("deprecated") == Some(&Value::Bool(true)),
                });
            }
        }
        shape.additional = match v.get("additionalProperties") {
            Some(Value::Bool(false)) => Some(Additional::Forbidden),
            Some(Value::Bool(true)) => Some(Additional::Any),
            Some(s @ Value::Object(_)) => Some(Additional::Shape(self.compile(s, None))),
            _ => None,
        };
        if let Some(all_of) = v.get("allOf").and_then(Value::as_array) {
            shape.switch = self.switch(all_of);
        }
        shape
    }

    fn switch(&mut self, all_of: &[Value]) -> Option<Switch> {
        let mut switch: Option<Switch> = None;
        for case in all_of {
            let (cond, then) = (case.get("if")?, case.get("then")?);
            let (disc, value) = cond.get("properties")?.as_object()?.iter().next()?;
            let value = value.get("const")?.as_str()?;
            let (target, schema) = then.get("properties")?.as_object()?.iter().next()?;
            let required = then
                .get("required")
                .and_then(Value::as_array)
                .is_some_and(|r| r.iter().any(|x| x == target.as_str()));
            let shape = self.compile(schema, None);
            let sw = switch.get_or_insert_with(|| Switch {
                discriminator: disc.clone(),
                target: target.clone(),
                cases: Vec::new(),
            });
            sw.cases.push(SwitchCase {
                value: value.into(),
                shape,
                required,
            });
        }
        switch
    }
}

fn description(v: &Value) -> Option<String> {
    v.get("description")
        .and_then(Value::as_str)
        .map(String::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every keyword in the generated schema is one the compiler reads;
    /// anything new must be taught to it before it can be used.
    #[test]
    fn compiler_understands_every_keyword_in_the_schema() {
        const KNOWN: &[&str] = &[
            "$schema",
            "$id",
            "$ref",
            "title",
            "description",
            "type",
            "properties",
            "required",
            "additionalProperties",
            "items",
            "enum",
            "const",
            "oneOf",
            "anyOf",
            "allOf",
            "if",
            "then",
            "minimum",
            "deprecated",
            "definitions",
            "propertyNames",
            "pattern",
        ];
        fn walk(v: &Value, in_props: bool) {
            if let Value::Object(obj) = v {
                for (k, child) in obj {
                    if !in_props {
                        assert!(KNOWN.contains(&k.as_str()), "unknown keyword {k}");
                    }
                    walk(child, k == "properties" || k == "definitions");
                }
            } else if let Value::Array(items) = v {
                items.iter().for_each(|i| walk(i, false));
            }
        }
        walk(crate::schema::json_schema(), false);
    }

    #[test]
    fn job_with_switches_on_uses() {
        let s = Shapes::get();
        let job = s.def("Job").unwrap();
        let sw = s.shape(job).switch.as_ref().unwrap();
        assert_eq!(sw.discriminator, "uses");
        assert_eq!(sw.cases.len(), 5);
        let uses = s.shape(job).property("uses").unwrap().shape;
        assert_eq!(s.shape(uses).choices.len(), 5);
    }
}
