//! A scripted "LLM" for the mock server: deterministic answers to MultiMon's prompts, in a
//! clean layout or a messy one (curly quotes, numbering, fences, prose, missing commas) that
//! must parse to the same result, plus a fault schedule (429, 500, slow, dropped connection).

use std::time::Duration;

use crate::mock::{Reply, Request};

/// The scraped pairs fed to categorize: gender swaps and counting changes, numbered.
pub fn input_pairs() -> Vec<(String, String)> {
    (0..36)
        .map(|i| {
            if i % 2 == 0 {
                (
                    format!("a man riding a brown horse on the beach, picture number {i}"),
                    format!("a woman riding a brown horse on the beach, picture number {i}"),
                )
            } else {
                (
                    format!("one cat sleeping on a red sofa in the sun, picture number {i}"),
                    format!("two cats sleeping on a red sofa in the sun, picture number {i}"),
                )
            }
        })
        .collect()
}

/// Clean answers, no faults.
pub fn clean(req: &Request) -> Reply {
    Reply::Ok(answer(req, false))
}

/// Every distinct request first meets 429, then 500, then an answer slower than the client's
/// timeout, then a dropped connection; the fifth attempt gets a messy but complete answer.
pub fn faulty(req: &Request) -> Reply {
    match req.attempt {
        0 => Reply::Status(429, r#"{"error":{"message":"Rate limit reached for requests","type":"requests","code":"rate_limit_exceeded"}}"#.into()),
        1 => Reply::Status(500, "upstream model crashed".into()),
        2 => Reply::Slow(Duration::from_secs(3), answer(req, true)),
        3 => Reply::Drop,
        _ => Reply::Ok(answer(req, true)),
    }
}

fn answer(req: &Request, messy: bool) -> String {
    let last = req.last_message();
    if last.starts_with("I will provide a series of data") && req.message_count() == 1 {
        return if messy {
            "Sure — I have memorized them all.".into()
        } else {
            "Understood. I have memorized the pairs.".into()
        };
    }
    if last.starts_with("I’m trying to find failures") {
        return categories(&req.all_text(), messy);
    }
    if last.starts_with("Below are failure categories") {
        let json = r#"[{"name": "Counting", "description": "The number of objects is lost.", "merged": ["Counting", "Quantity"]}]"#;
        return if messy {
            format!("Here is the merged list:\n```json\n{json}\n```\nLet me know!")
        } else {
            json.to_string()
        };
    }
    if last.starts_with("Write down ") {
        return generation(last, messy);
    }
    if last.starts_with("Here are two captions") {
        let captions = last
            .split("Are these captions")
            .next()
            .unwrap_or("")
            .to_lowercase();
        let yes = captions.contains("cat") || captions.contains("dog");
        return match (yes, messy) {
            (true, false) => "Yes.".into(),
            (false, false) => "No.".into(),
            (true, true) => "**Yes**, both captions show pets.".into(),
            (false, true) => "Answer: no, these are not about pets.".into(),
        };
    }
    if last.starts_with("You compare image captions") {
        return judgements(last, messy);
    }
    if last.contains("texts from one group") {
        return "They all describe people riding horses.".into();
    }
    "I do not understand the request.".into()
}

/// The first picture number in the memorized pairs.
fn first_number(text: &str) -> usize {
    text.split("picture number ")
        .nth(1)
        .and_then(|rest| rest.split(|c: char| !c.is_ascii_digit()).next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

fn categories(conversation: &str, messy: bool) -> String {
    let early = first_number(conversation) < 10;
    let (gender, counting) = if early {
        ("Gender", "Counting")
    } else {
        ("Genders", "Quantity")
    };
    let n = first_number(conversation);
    let (g_a, g_b) = (
        format!("a man riding a brown horse on the beach, picture number {n}"),
        format!("a woman riding a brown horse on the beach, picture number {n}"),
    );
    let (c_a, c_b) = (
        format!(
            "one cat sleeping on a red sofa in the sun, picture number {}",
            n + 1
        ),
        format!(
            "two cats sleeping on a red sofa in the sun, picture number {}",
            n + 1
        ),
    );
    if messy {
        format!(
            "Sure! Looking at these pairs, I notice the following failures.\n\n\
             1. {gender} - The embedding ignores whether a man or a woman is shown.\n   Examples:\n   (“{g_a}”, “{g_b}”)\n\n\
             2. {counting} - The number of objects is lost.\n   Examples:\n   - “{c_a}” vs “{c_b}”\n\n\
             These failures would produce the wrong people or the wrong number of objects."
        )
    } else {
        format!(
            "1. **{gender}**: The embedding ignores whether a man or a woman is shown.\n   - Example: \"{g_a}\" vs \"{g_b}\"\n\
             2. **{counting}**: The number of objects is lost.\n   - Example: \"{c_a}\" vs \"{c_b}\"\n"
        )
    }
}

const THINGS: [&str; 64] = [
    "a red ball",
    "a kite",
    "a guitar",
    "a book",
    "an umbrella",
    "a bicycle",
    "a surfboard",
    "a camera",
    "a teapot",
    "a lamp",
    "a violin",
    "a basket",
    "a ladder",
    "a pumpkin",
    "a suitcase",
    "a trumpet",
    "a skateboard",
    "a map",
    "a lantern",
    "a drum",
    "a broom",
    "a telescope",
    "a chessboard",
    "a banjo",
    "a kettle",
    "a globe",
    "a hammock",
    "a canoe",
    "a sled",
    "a flag",
    "a clock",
    "a mirror",
    "a vase",
    "a shovel",
    "a helmet",
    "a scarf",
    "a wagon",
    "a harp",
    "a bucket",
    "a candle",
    "a tent",
    "a rake",
    "a saddle",
    "a compass",
    "a fishing rod",
    "a piano",
    "a backpack",
    "a wheelbarrow",
    "a tuba",
    "a crate",
    "a hose",
    "a rope",
    "a paddle",
    "a whistle",
    "a sword",
    "a shield",
    "a crown",
    "a spoon",
    "a fork",
    "a knife",
    "a plate",
    "a bowl",
    "a cup",
    "a jar",
];

fn generation(prompt: &str, messy: bool) -> String {
    let mode = prompt.split("Failure Mode:\n").nth(1).unwrap_or("");
    let counting = mode.starts_with("Counting");
    let followup = prompt.contains("You already wrote");
    let range: Vec<usize> = if followup {
        (38..64).collect()
    } else {
        (0..38).collect()
    };
    let mut pairs: Vec<(String, String)> = range
        .iter()
        .map(|&i| {
            let thing = THINGS[i];
            if counting {
                (
                    format!("one cat next to {thing}"),
                    format!("two cats next to {thing}"),
                )
            } else {
                (
                    format!("a man holding {thing}"),
                    format!("a woman holding {thing}"),
                )
            }
        })
        .collect();
    if !followup {
        // Repeats the dedup must drop: an exact one, a reordered one, one differing in case.
        pairs.push(pairs[0].clone());
        pairs.push((pairs[1].1.clone(), pairs[1].0.clone()));
        pairs.push((pairs[2].0.to_uppercase(), pairs[2].1.clone()));
    }
    if !messy {
        let lines: Vec<String> = pairs
            .iter()
            .map(|(a, b)| format!("(\"{a}\", \"{b}\"),"))
            .collect();
        return lines.join("\n");
    }
    let mut out = String::from("Here are the pairs you asked for:\n\n```\n");
    for (i, (a, b)) in pairs.iter().enumerate() {
        let line = match i % 4 {
            0 => format!("{}. (“{a}”, “{b}”),", i + 1),
            1 => format!("{}) (\"{a}\" \"{b}\")", i + 1),
            2 => format!("- (\"{a}\", \"{b}\")"),
            _ => format!("[\"{a}\", \"{b}\"],"),
        };
        out.push_str(&line);
        out.push('\n');
    }
    out.push_str("```\nI hope these help you find failures!");
    out
}

/// The judge's scripted answer: "same" when the two captions have the same words (articles
/// aside), "unsure" when either says "maybe", else "different".
fn judgements(prompt: &str, messy: bool) -> String {
    let words = |t: &str| {
        let mut w: Vec<String> = t
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty() && !matches!(*w, "a" | "an" | "the"))
            .map(str::to_lowercase)
            .collect();
        w.sort();
        w
    };
    let mut out = String::new();
    if messy {
        out.push_str("Sure! Here are my verdicts:\n\n");
    }
    for line in prompt.lines() {
        let Some((number, rest)) = line.split_once(". A: ") else {
            continue;
        };
        let Some((a, b)) = rest.split_once(" | B: ") else {
            continue;
        };
        let verdict = if a.contains("maybe") || b.contains("maybe") {
            "unsure"
        } else if words(a) == words(b) {
            "same"
        } else {
            "different"
        };
        if messy {
            out.push_str(&format!(
                "**{number}.** {} (my reading)\n",
                verdict.to_uppercase()
            ));
        } else {
            out.push_str(&format!("{number}: {verdict}\n"));
        }
    }
    out
}
