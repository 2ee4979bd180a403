"""Trains a linear classifier on scikit-learn's digits data set with SGD, for `hpo run`.

The hyperparameters come as command-line flags (the study file's command fills them in).
Each epoch prints one JSON line with the validation loss, which hpo reads as an intermediate
value (so the median pruner can stop a hopeless run); the last line holds the final metrics.
"""
import argparse
import json
import sys
import warnings

import numpy as np
from sklearn.datasets import load_digits
from sklearn.linear_model import SGDClassifier
from sklearn.metrics import accuracy_score, log_loss
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--alpha", type=float, required=True, help="L2/L1 regularization")
    parser.add_argument("--eta0", type=float, required=True, help="initial learning rate")
    parser.add_argument("--penalty", choices=["l2", "l1", "elasticnet"], default="l2")
    parser.add_argument("--learning-rate", choices=["constant", "invscaling", "adaptive"],
                        default="invscaling")
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--seed", type=int, default=0)
    return parser.parse_args()


def main():
    args = parse_args()
    digits = load_digits()
    x_train, x_val, y_train, y_val = train_test_split(
        digits.data, digits.target, test_size=0.25, random_state=args.seed,
        stratify=digits.target)
    scaler = StandardScaler().fit(x_train)
    x_train, x_val = scaler.transform(x_train), scaler.transform(x_val)
    classes = np.unique(digits.target)

    model = SGDClassifier(loss="log_loss", alpha=args.alpha, eta0=args.eta0,
                          penalty=args.penalty, learning_rate=args.learning_rate,
                          random_state=args.seed)
    rng = np.random.default_rng(args.seed)
    best_loss = float("inf")
    for epoch in range(args.epochs):
        order = rng.permutation(len(x_train))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # overflow warnings for wild learning rates
            model.partial_fit(x_train[order], y_train[order], classes=classes)
            proba = model.predict_proba(x_val)
        loss = log_loss(y_val, np.clip(proba, 1e-12, 1.0), labels=classes)
        best_loss = min(best_loss, loss)
        print(json.dumps({"step": epoch, "val_loss": loss}), flush=True)

    accuracy = accuracy_score(y_val, model.predict(x_val))
    print(json.dumps({"val_loss": best_loss, "val_accuracy": accuracy}), flush=True)
    print(f"best validation loss {best_loss:.4f}, accuracy {accuracy:.3f}", file=sys.stderr)


if __name__ == "__main__":
    main()
