"""looks_english: questions in other languages are told apart from English ones (short, technical, or
with a foreign name in them), by script and by function words."""
import pytest

from bot.search.language import looks_english

ENGLISH = [
    "do I need a degree?",
    "How do I become an ML engineer without a degree?",
    "what about a PhD?",
    "Python or R for data science in 2024",
    "pandas or polars?",
    "Kubernetes?",
    "MLOps",
    "Is my résumé good enough for an ML engineer job?",
    "I'm a backend engineer, 3 years in, how do I move to machine learning?",
    "Should I learn C++ or Rust for ML systems?",
    "How do I say 机器学习 in English?",
    "Is a master de data science worth it?",
    "What was the hardest part of your interviews?",
    "",
    "???",
    "🚀🚀",
]
OTHER = [
    "¿Cómo me convierto en ingeniero de machine learning?",
    "¿Qué es MLOps?",
    "Necesito un título para trabajar en machine learning?",
    "Como me torno engenheiro de machine learning sem diploma?",
    "Comment devenir ingénieur en apprentissage automatique ?",
    "Wie werde ich ML-Ingenieur ohne Studium?",
    "Brauche ich einen Master für Data Science?",
    "Come posso diventare ingegnere di machine learning?",
    "Hoe word ik een machine learning engineer?",
    "Bagaimana cara menjadi machine learning engineer?",
    "我怎样才能成为机器学习工程师？",
    "Как стать инженером машинного обучения?",
    "كيف أصبح مهندس تعلم الآلة؟",
    "मशीन लर्निंग इंजीनियर कैसे बनें?",
    "機械学習エンジニアになるには？",
]


@pytest.mark.parametrize("text", ENGLISH)
def test_english_questions_look_english(text):
    assert looks_english(text)


@pytest.mark.parametrize("text", OTHER)
def test_questions_in_other_languages_do_not(text):
    assert not looks_english(text)
